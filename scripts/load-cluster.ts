/**
 * The load script's second part (issue 11): two gateway processes sharing a real
 * redis-server behave as one — limits across both, a retried Idempotency-Key never
 * generating twice, streams resumed on the other instance after their connection was cut,
 * and the leases of an instance killed with SIGKILL freed after the lease TTL.
 */
import { fakeAnswer } from '../test/support/fake-openai.js';
import { startGatewayProcess } from '../test/support/gateway-process.js';
import type { GatewayProcess } from '../test/support/gateway-process.js';
import { closeIdleSockets, openStream, percentile } from './load-client.js';

/** One line of the cluster table. */
export interface ClusterCheck {
  check: string;
  expected: string;
  observed: string;
  ok: boolean;
}

/** Options of {@link runClusterChecks}. */
export interface ClusterOptions {
  redisUrl: string;
  upstreamBaseURL: string;
  tokens: number;
  /** Streams cut and resumed on the other instance, and idempotent retries. */
  resumes: number;
  timeoutMs: number;
}

const RATE_LIMIT = 30;
const MAX_CONCURRENT = 3;
const LEASE_TTL_MS = 1500;

let clientCount = 0;
/** A distinct client identity (the gateways trust X-Forwarded-For, as behind a balancer). */
function newClient(): Record<string, string> {
  clientCount += 1;
  return { 'x-forwarded-for': `10.${(clientCount >> 16) & 255}.${(clientCount >> 8) & 255}.${clientCount & 255}` };
}

function body(seed: string, maxTokens: number): Record<string, unknown> {
  return { model: 'fake-model', messages: [{ role: 'user', content: seed }], stream: true, max_tokens: maxTokens };
}

async function upstreamRequests(baseURL: string): Promise<number> {
  const stats = (await (await fetch(`${new URL(baseURL).origin}/stats`)).json()) as { requests: number };
  return stats.requests;
}

/**
 * Starts two instances (and a third to kill), runs the checks, stops them.
 *
 * @param options - Redis and provider addresses, answer length, counts, timeout.
 * @returns One line per check.
 */
export async function runClusterChecks(options: ClusterOptions): Promise<ClusterCheck[]> {
  const { tokens } = options;
  const env = {
    REDIS_URL: options.redisUrl,
    LLM_PROVIDER: 'openai-compatible',
    LLM_BASE_URL: options.upstreamBaseURL,
    LLM_API_KEY: 'load-test',
    LLM_MODEL: 'fake-model',
    LLM_TRUST_PROXY: 'true',
    LLM_RATE_LIMIT: String(RATE_LIMIT),
    LLM_MAX_CONCURRENT: String(MAX_CONCURRENT),
    LLM_RESUME_GRACE_MS: '5000',
    LLM_LEASE_TTL_MS: String(LEASE_TTL_MS),
  };
  const [a, b] = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
  const checks: ClusterCheck[] = [];
  try {
    checks.push(await rateAcrossInstances(a, b));
    checks.push(await concurrencyAcrossInstances(a, b, tokens, options.timeoutMs));
    checks.push(await idempotentRetries(a, b, options));
    checks.push(await resumeOnOtherInstance(a, b, options));
    checks.push(await sigkillFreesLeases(b, env, tokens, options.timeoutMs));
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    closeIdleSockets();
  }
  return checks;
}

async function rateAcrossInstances(a: GatewayProcess, b: GatewayProcess): Promise<ClusterCheck> {
  const who = newClient();
  const sent = RATE_LIMIT + 12;
  const statuses: number[] = [];
  // Batches of MAX_CONCURRENT requests spread over both instances, so only the rate limit refuses.
  for (let index = 0; index < sent; index += MAX_CONCURRENT) {
    const batch = Array.from({ length: Math.min(MAX_CONCURRENT, sent - index) }, (_, offset) =>
      openStream({ url: `${(index + offset) % 2 ? b.url : a.url}/api/chat`, body: body('rate', 1), headers: who }),
    );
    statuses.push(...(await Promise.all(batch)).map((outcome) => outcome.status));
  }
  const accepted = statuses.filter((status) => status === 200).length;
  return {
    check: `rate limit across 2 instances (${RATE_LIMIT}/min per client, ${sent} requests alternating)`,
    expected: `${RATE_LIMIT} accepted`,
    observed: `${accepted} accepted, ${statuses.filter((status) => status === 429).length} × 429`,
    ok: accepted === RATE_LIMIT,
  };
}

async function concurrencyAcrossInstances(a: GatewayProcess, b: GatewayProcess, tokens: number, timeoutMs: number): Promise<ClusterCheck> {
  const who = newClient();
  const opened = 8;
  // Each accepted stream is cut after its first token and then stopped, which frees its slot.
  const outcomes = await Promise.all(
    Array.from({ length: opened }, (_, index) =>
      openStream({
        url: `${index % 2 ? b.url : a.url}/api/chat`,
        body: body(`slot ${index}`, tokens),
        headers: who,
        cutAfterTokens: 1,
        timeoutMs,
      }),
    ),
  );
  const accepted = outcomes.filter((outcome) => outcome.status === 200);
  await Promise.all(
    accepted.map((outcome) => fetch(`${a.url}/api/chat/streams/${outcome.streamId}/stop`, { method: 'POST', headers: who })),
  );
  return {
    check: `concurrency cap across 2 instances (${MAX_CONCURRENT} per client, ${opened} at once)`,
    expected: `${MAX_CONCURRENT} accepted`,
    observed: `${accepted.length} accepted`,
    ok: accepted.length === MAX_CONCURRENT,
  };
}

async function idempotentRetries(a: GatewayProcess, b: GatewayProcess, options: ClusterOptions): Promise<ClusterCheck> {
  const count = Math.max(1, Math.floor(options.resumes / 2));
  const before = await upstreamRequests(options.upstreamBaseURL);
  const results = await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const headers = { ...newClient(), 'idempotency-key': `load-${Date.now()}-${index}` };
      const seed = `idempotent ${index}`;
      // The first attempt drops after 3 tokens; the client retries the same request on the other instance.
      await openStream({
        url: `${a.url}/api/chat`,
        body: body(seed, options.tokens),
        headers,
        cutAfterTokens: 3,
        timeoutMs: options.timeoutMs,
      });
      // Like the element: a 429 idempotency_key_in_use (A has not noticed the drop yet) is
      // retried after its Retry-After of 1 s.
      let retry = await openStream({ url: `${b.url}/api/chat`, body: body(seed, options.tokens), headers, timeoutMs: options.timeoutMs });
      for (let attempt = 0; retry.status === 429 && attempt < 3; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        retry = await openStream({ url: `${b.url}/api/chat`, body: body(seed, options.tokens), headers, timeoutMs: options.timeoutMs });
      }
      return retry.status === 200 && retry.done && retry.text === fakeAnswer(seed, options.tokens).join('');
    }),
  );
  const generations = (await upstreamRequests(options.upstreamBaseURL)) - before;
  const exact = results.filter(Boolean).length;
  return {
    check: `retried Idempotency-Key on the other instance after a drop (${count} clients)`,
    expected: `${count} generations, ${count} exact answers`,
    observed: `${generations} generations, ${exact} exact answers`,
    ok: generations === count && exact === count,
  };
}

async function resumeOnOtherInstance(a: GatewayProcess, b: GatewayProcess, options: ClusterOptions): Promise<ClusterCheck> {
  const count = options.resumes;
  const gaps: number[] = [];
  const results = await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const headers = newClient();
      const seed = `resume ${index}`;
      const cut = await openStream({
        url: `${a.url}/api/chat`,
        body: body(seed, options.tokens),
        headers,
        cutAfterTokens: 10,
        timeoutMs: options.timeoutMs,
      });
      const rest = await openStream({
        url: `${b.url}/api/chat/streams/${cut.streamId}`,
        method: 'GET',
        headers: { ...headers, ...(cut.lastEventId ? { 'last-event-id': cut.lastEventId } : {}) },
        timeoutMs: options.timeoutMs,
      });
      if (rest.firstTokenMs !== undefined) gaps.push(rest.firstTokenMs);
      return (
        rest.status === 200 && rest.done && rest.idProblems === 0 && cut.text + rest.text === fakeAnswer(seed, options.tokens).join('')
      );
    }),
  );
  const exact = results.filter(Boolean).length;
  return {
    check: `streams cut on instance A, resumed on B with Last-Event-ID (${count})`,
    expected: `${count} exact full texts`,
    observed: `${exact} exact (first resumed token p50 ${Math.round(percentile(gaps, 50))} ms)`,
    ok: exact === count,
  };
}

async function sigkillFreesLeases(
  b: GatewayProcess,
  env: Record<string, string>,
  tokens: number,
  timeoutMs: number,
): Promise<ClusterCheck> {
  const doomed = await startGatewayProcess(env);
  const who = newClient();
  try {
    const held = await Promise.all(
      Array.from({ length: MAX_CONCURRENT }, (_, index) =>
        openStream({ url: `${doomed.url}/api/chat`, body: body(`held ${index}`, tokens), headers: who, cutAfterTokens: 1, timeoutMs }),
      ),
    );
    // The cut connections leave the generations in their grace period, holding their slots.
    await doomed.stop('SIGKILL');
    const killedAt = performance.now();
    const probe = (): Promise<number> =>
      openStream({ url: `${b.url}/api/chat`, body: body('probe', 1), headers: who, timeoutMs }).then((outcome) => outcome.status);
    const first = await probe();
    let freedAfter = Number.NaN;
    while (performance.now() - killedAt < LEASE_TTL_MS * 4) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      if ((await probe()) === 200) {
        freedAfter = performance.now() - killedAt;
        break;
      }
    }
    const heldCount = held.filter((outcome) => outcome.status === 200).length;
    return {
      check: `instance killed with SIGKILL holding ${heldCount} streams (lease TTL ${LEASE_TTL_MS} ms)`,
      expected: `429 right after, slots free within ~TTL`,
      observed: `${first} right after, free after ${Math.round(freedAfter)} ms`,
      ok: heldCount === MAX_CONCURRENT && first === 429 && freedAfter <= LEASE_TTL_MS + 700,
    };
  } finally {
    await doomed.stop('SIGKILL');
  }
}
