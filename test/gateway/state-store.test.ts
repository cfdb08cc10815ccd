/**
 * The StateStore contract, against the memory store and a real redis-server (started here on
 * a free port with a temporary directory, stopped at the end), plus the Redis store's
 * failure policy: Redis down → local state, one log line, and back when Redis returns.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMemoryStateStore, createOpenAICompatibleUpstream, createRedisStateStore } from '../../src/gateway/index.js';
import type { FailoverStateStore, StateStore, StateStoreEvent } from '../../src/gateway/index.js';
import { createStoreBreakerStateStore } from '../../src/gateway/store-breaker-state.js';
import { createStoreBudgetLedger } from '../../src/gateway/store-budget-ledger.js';
import { startRedisServer } from '../support/redis-server.js';
import type { RedisServer } from '../support/redis-server.js';
import { chatBody, delay, openaiChunk, postChat, startFakeUpstream, startTestGateway, within, writeSse } from './helpers.js';
import type { TestGateway } from './helpers.js';

let redis: RedisServer;
const opened: StateStore[] = [];
let prefixCount = 0;

before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await redis.close();
});

/** A connected Redis store with its own key prefix, closed after the suite. */
async function redisStore(
  options: { leaseTtlMs?: number; prefix?: string; onEvent?: (event: StateStoreEvent) => void } = {},
): Promise<FailoverStateStore> {
  const store = createRedisStateStore({
    url: redis.url,
    keyPrefix: options.prefix ?? `t${(prefixCount += 1)}:`,
    leaseTtlMs: options.leaseTtlMs ?? 15_000,
    onEvent: options.onEvent ?? (() => {}),
  });
  opened.push(store);
  assert.equal(await store.connect(5000), true, 'connected to the test redis-server');
  return store;
}

/** The same contract for both implementations. */
function contract(name: string, create: () => Promise<StateStore>): void {
  describe(`${name} state store`, () => {
    it('counts a sliding window per key and says how long to wait', async () => {
      const store = await create();
      const rule = { limit: 2, windowMs: 60_000 };
      assert.deepEqual(await store.hit('client-a', rule), { allowed: true });
      assert.deepEqual(await store.hit('client-a', rule), { allowed: true });
      const refused = await store.hit('client-a', rule);
      assert.equal(refused.allowed, false);
      assert.ok(!refused.allowed && refused.retryAfterSeconds >= 59 && refused.retryAfterSeconds <= 60, JSON.stringify(refused));
      assert.deepEqual(await store.hit('client-b', rule), { allowed: true }, 'another key has its own window');
      assert.deepEqual(await store.hit('client-a', { limit: 0, windowMs: 1000 }), { allowed: true }, 'limit 0 disables');
    });

    it('lets a window slide: requests leave it after windowMs', async () => {
      const store = await create();
      const rule = { limit: 1, windowMs: 300 };
      assert.equal((await store.hit('slide', rule)).allowed, true);
      assert.equal((await store.hit('slide', rule)).allowed, false);
      await delay(350);
      assert.equal((await store.hit('slide', rule)).allowed, true);
    });

    it('holds at most max leases per pool, knows their holders, and frees on release (idempotently)', async () => {
      const store = await create();
      const first = await store.acquire('pool', { max: 2, id: 'gen-1' });
      const second = await store.acquire('pool', { max: 2 });
      assert.ok(first && second);
      assert.equal(await store.acquire('pool', { max: 2 }), undefined);
      assert.deepEqual((await store.holders('pool')).sort(), [first.id, second.id].sort());
      assert.equal(first.id, 'gen-1');
      await first.release();
      await first.release();
      assert.deepEqual(await store.holders('pool'), [second.id]);
      const third = await store.acquire('pool', { max: 2 });
      assert.ok(third, 'a released slot can be taken again');
      const unlimited = await Promise.all(Array.from({ length: 5 }, () => store.acquire('open', { max: 0 })));
      assert.equal(unlimited.filter(Boolean).length, 5);
      assert.equal((await store.holders('open')).length, 5);
      await Promise.all([second.release(), third.release(), ...unlimited.map((lease) => lease?.release())]);
      assert.deepEqual(await store.holders('pool'), []);
    });

    it('keeps counters and values with a lifetime, and a shared secret', async () => {
      const store = await create();
      assert.equal(await store.increment('spend', 0.25, 300), 0.25);
      assert.equal(await store.increment('spend', 1.5, 300), 1.75);
      await store.putValue('breaker', 'open', 300);
      assert.equal(await store.getValue('breaker'), 'open');
      await delay(350);
      assert.equal(await store.getValue('breaker'), undefined);
      assert.equal(await store.increment('spend', 1, 300), 1, 'an expired counter starts again');
      assert.match(await store.sharedSecret(), /^[0-9a-f]{32,}$/);
      assert.equal(await store.sharedSecret(), await store.sharedSecret());
    });
  });
}

contract('memory', async () => createMemoryStateStore());
contract('redis', () => redisStore());

describe('redis state store across instances', () => {
  it('enforces one limit atomically when two instances count at the same moment', async () => {
    const [one, two] = [await redisStore({ prefix: 'race:' }), await redisStore({ prefix: 'race:' })];
    const rule = { limit: 10, windowMs: 60_000 };
    const results = await Promise.all(Array.from({ length: 60 }, (_, index) => (index % 2 ? one : two).hit('busy-client', rule)));
    assert.equal(results.filter((result) => result.allowed).length, 10);
    const leases = await Promise.all(Array.from({ length: 20 }, (_, index) => (index % 2 ? one : two).acquire('slots', { max: 3 })));
    assert.equal(leases.filter(Boolean).length, 3);
    assert.equal(await one.sharedSecret(), await two.sharedSecret(), 'one salt, so both hash clients alike');
  });

  it("keeps a live instance's leases with its heartbeat and frees a dead one's after the TTL", async () => {
    const alive = await redisStore({ prefix: 'ttl:', leaseTtlMs: 300 });
    const doomed = await redisStore({ prefix: 'ttl:', leaseTtlMs: 300 });
    const observer = await redisStore({ prefix: 'ttl:', leaseTtlMs: 300 });
    const kept = await alive.acquire('client-x', { max: 2 });
    const lost = await doomed.acquire('client-x', { max: 2 });
    assert.ok(kept && lost);
    // A crash: the connection goes away without releasing anything or renewing again.
    doomed.primary.client.disconnect();
    assert.equal(await observer.acquire('client-x', { max: 2 }), undefined, 'both slots still taken right after');
    await delay(900);
    assert.deepEqual(await observer.holders('client-x'), [kept.id], 'the dead lease expired, the renewed one did not');
    assert.ok(await observer.acquire('client-x', { max: 2 }), 'its slot is free again');
  });
});

describe('redis down: fail open to local state', () => {
  it('keeps serving with per-instance limits, logs one line per outage, and goes back to Redis', async () => {
    const events: StateStoreEvent[] = [];
    const store = await redisStore({ prefix: 'outage:', onEvent: (event) => events.push(event) });
    const gw = await startTestGateway({ stateStore: store, rateLimit: 2 });
    try {
      assert.equal(store.mode, 'redis');
      await redis.stop();
      await within(
        (async () => {
          while (store.mode === 'redis') await delay(20);
        })(),
        5000,
        'the store to notice',
      );
      assert.equal(store.mode, 'local-fallback');
      // Chat goes on; the limit is still enforced, by this instance alone.
      const statuses = [];
      for (let index = 0; index < 3; index += 1) {
        const response = await postChat(gw.url, chatBody('during the outage'));
        statuses.push(response.status);
        await response.body?.cancel();
      }
      assert.deepEqual(statuses, [200, 200, 429]);
      assert.deepEqual(
        events.map((event) => event.msg),
        ['state_store_unavailable'],
      );
      assert.match(events[0]?.policy ?? '', /fail open/);

      await redis.start();
      await within(
        (async () => {
          while (store.mode !== 'redis') await delay(50);
        })(),
        8000,
        'the store to reconnect',
      );
      const back = await postChat(gw.url, chatBody('after the outage'));
      assert.equal(back.status, 200, 'a fresh window on Redis');
      await back.body?.cancel();
      assert.deepEqual(
        events.map((event) => event.msg),
        ['state_store_unavailable', 'state_store_recovered'],
      );
    } finally {
      await gw.close();
      if (store.mode !== 'redis') await redis.start().catch(() => {});
    }
  });
});

describe('budgets and circuit breakers on the shared store', () => {
  it("adds up one client's daily spend across instances", async () => {
    const [one, two] = [
      createStoreBudgetLedger(await redisStore({ prefix: 'budget:' })),
      createStoreBudgetLedger(await redisStore({ prefix: 'budget:' })),
    ];
    assert.equal(await one.spent('c_1', '2026-12-03'), 0);
    await Promise.all(Array.from({ length: 10 }, (_, index) => (index % 2 ? one : two).add('c_1', '2026-12-03', 0.125)));
    assert.equal(await two.spent('c_1', '2026-12-03'), 1.25);
    assert.deepEqual(await one.add('c_1', '2026-12-03', 0.5), { before: 1.25, after: 1.75 });
    assert.equal(await one.spent('c_1', '2026-12-04'), 0, 'a new day starts at zero');
    assert.equal(await one.spent('c_2', '2026-12-03'), 0, 'per client');
  });

  it('opens a circuit from failures seen by different instances, and lets exactly one probe through', async () => {
    const [a, b] = [
      createStoreBreakerStateStore(await redisStore({ prefix: 'breaker:' })),
      createStoreBreakerStateStore(await redisStore({ prefix: 'breaker:' })),
    ];
    await Promise.all([a.recordFailure('openai:gpt', 1000, 3), b.recordFailure('openai:gpt', 1000, 3)]);
    assert.deepEqual(await a.read('openai:gpt'), { failures: 2, openedAt: null, probeStartedAt: null });
    const opened = await b.recordFailure('openai:gpt', 1500, 3);
    assert.equal(opened.openedAt, 1500);
    assert.equal((await a.read('openai:gpt')).openedAt, 1500, 'the other instance sees it open');
    assert.equal(await a.claimProbe('openai:gpt', 2000, 30_000), false, 'still cooling down');
    const claims = await Promise.all(Array.from({ length: 8 }, (_, index) => (index % 2 ? a : b).claimProbe('openai:gpt', 40_000, 30_000)));
    assert.equal(claims.filter(Boolean).length, 1, 'one probe across both instances');
    await b.recordSuccess('openai:gpt');
    assert.deepEqual(await a.read('openai:gpt'), { failures: 0, openedAt: null, probeStartedAt: null });
  });

  it('swaps a value only when it is still the expected one (both stores)', async () => {
    for (const store of [createMemoryStateStore(), await redisStore()]) {
      assert.equal(await store.swapValue('cas', undefined, 'one', 10_000), true);
      assert.equal(await store.swapValue('cas', undefined, 'two', 10_000), false, 'no longer absent');
      assert.equal(await store.swapValue('cas', 'zero', 'two', 10_000), false);
      assert.equal(await store.swapValue('cas', 'one', 'two', 10_000), true);
      assert.equal(await store.getValue('cas'), 'two');
      assert.equal(await store.swapValue('cas', 'two', undefined, 10_000), true);
      assert.equal(await store.getValue('cas'), undefined, 'deleted');
    }
  });
});

describe('a handler on a shared store', () => {
  it('shares one daily budget between two instances', async () => {
    // Every answer reports usage worth $0.195 for gpt-4o-mini.
    const fake = await startFakeUpstream((_request, res) =>
      writeSse(res, [
        openaiChunk({ role: 'assistant', content: 'Answer.' }, null, { model: 'gpt-4o-mini' }),
        openaiChunk({}, 'stop', { model: 'gpt-4o-mini' }),
        openaiChunk({}, null, {
          model: 'gpt-4o-mini',
          choices: [],
          usage: {
            prompt_tokens: 1_000_000,
            completion_tokens: 100_000,
            total_tokens: 1_100_000,
            prompt_tokens_details: { cached_tokens: 200_000 },
          },
        }),
        '[DONE]',
      ]),
    );
    const options = {
      upstream: createOpenAICompatibleUpstream({ baseURL: `${fake.url}/v1`, apiKey: 'sk-x', defaultModel: 'gpt-4o-mini' }),
      dailyBudgetUsd: 0.3,
    };
    const [a, b] = [
      await startTestGateway({ ...options, stateStore: await redisStore({ prefix: 'shared-budget:' }) }),
      await startTestGateway({ ...options, stateStore: await redisStore({ prefix: 'shared-budget:' }) }),
    ];
    try {
      const ask = { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] };
      const send = async (gw: TestGateway): Promise<number> => {
        const response = await postChat(gw.url, ask);
        await response.text();
        if (response.ok) await gw.logOf(response);
        return response.status;
      };
      assert.equal(await send(a), 200);
      assert.equal(await send(b), 200, 'B saw $0.195 of $0.30 spent');
      // Charging happens as the log line is written; give the write a moment to land.
      await delay(100);
      assert.equal(await send(a), 429, 'A sees what B spent: $0.39 of $0.30');
      assert.equal(a.logs.at(-1)?.error_code, 'budget_exceeded');
    } finally {
      await Promise.all([a.close(), b.close(), fake.close()]);
    }
  });
});
