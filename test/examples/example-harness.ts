/**
 * The end-to-end contract every example app in examples/ must meet, in real Chromium against
 * the reference gateway's mock upstream at a realistic pace. Each app shows the same small UI:
 *
 * - `<llm-chat>` pointed at `/api/chat`;
 * - `select#tone`, framework state bound to the element's `system` property;
 * - `button#stop`, which calls `stop()` on the element through the framework's ref;
 * - `output#last-status` and `output#last-ttft`, framework state set from `llm-chat-finish`.
 *
 * One server on 127.0.0.1 serves the app's built files and the gateway, and records every chat
 * request, so a test can see what the framework binding really sent.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { createChatHandler, createMockUpstream, startGateway } from '../../src/gateway/index.js';
import type { ChatHandler, RunningGateway } from '../../src/gateway/index.js';
import { launchChromium } from '../support/chromium.js';
import { parseStreamRoute } from '../../src/wire/routes.js';

/** The two system prompts every example offers in `select#tone`, first one selected. */
export const SYSTEM_PROMPTS = [
  'You are a concise assistant. Answer in a few sentences.',
  'You are a patient teacher. Explain step by step.',
] as const;

/** The mock's only answer: long enough that Stop lands mid-answer, with the markdown a chat renders. */
const ANSWER = `**Streaming** sends an answer while it is being generated, so the first words show up in a few hundred milliseconds instead of after the whole reply.

How it works, in short:

1. The client POSTs the conversation and asks for \`text/event-stream\`.
2. The server forwards each token as a \`data:\` line the moment the model produces it.
3. The client renders the text incrementally and measures the time to the first token.

A few things make it pleasant to use:

- Render finished blocks once and only re-render the live tail.
- Keep partial text when the user presses Stop or the connection drops.
- Show a clear state for every failure instead of a spinner that never ends.

\`\`\`ts
for await (const delta of stream) output.append(delta);
\`\`\`

That is all there is to it: small pieces, shown as soon as they arrive.`;

/** About the pace of a fast hosted model: answers take a few seconds and arrive in many pieces. */
const TOKENS_PER_SECOND = 80;
const TURN_TIMEOUT_MS = 30_000;

export interface ExampleOptions {
  /** Builds the app and returns the directory to serve (skipped for a page with no build). */
  build?: () => Promise<string>;
  /** Directory served at `/` when there is no build. */
  root?: string;
  /** Path of the page under that directory. */
  path?: string;
  /** Extra assertions on the loaded page, e.g. which scripts it requested. */
  check?: (loaded: { scripts: string[] }) => void;
}

/** Runs the example's own `npm run build` (its framework's standard tool) and returns `dist`. */
export function buildWithNpm(example: string, output = 'dist'): () => Promise<string> {
  return async () => {
    const cwd = `examples/${example}`;
    try {
      await promisify(execFile)('npm', ['run', 'build'], { cwd, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`npm run build failed in ${cwd} (did \`npm run test:examples\` install it?)\n${stdout ?? ''}\n${stderr ?? ''}`);
    }
    return `${cwd}/${output}`;
  };
}

interface RecordedRequest {
  system: string | undefined;
}

interface Turn {
  /** Distinct lengths of the answer's text, sampled every frame while it streamed. */
  lengths: number[];
  /** `data-status` of the last assistant message once the element is idle again. */
  messageStatus: string | undefined;
  elementStatus: string | null;
}

/** Types `text` into the element's composer, presses Enter and watches the answer until the element is idle again. */
async function sendAndWatch(tab: Page, text: string, whileStreaming?: () => Promise<void>): Promise<Turn> {
  await tab.locator('llm-chat textarea').fill(text);
  // Written without named inner functions: tsx would wrap those in a helper the page lacks.
  const watched = tab.evaluate(async (timeoutMs): Promise<Turn> => {
    const chat = document.querySelector('llm-chat');
    if (!chat?.shadowRoot) throw new Error('no <llm-chat> with a shadow root');
    const lengths: number[] = [];
    let busy = false;
    const started = performance.now();
    for (;;) {
      const answers = chat.shadowRoot.querySelectorAll('[part~="message--assistant"]');
      const answer = answers[answers.length - 1];
      const length = answer?.querySelector('[part~="content"]')?.textContent?.length ?? 0;
      if (length > 0 && lengths[lengths.length - 1] !== length) lengths.push(length);
      const status = chat.getAttribute('status');
      if (status !== 'idle') busy = true;
      if (busy && status === 'idle')
        return { lengths, messageStatus: answer?.getAttribute('data-status') ?? undefined, elementStatus: status };
      if (performance.now() - started > timeoutMs) throw new Error(`the turn did not end within ${timeoutMs} ms (status ${status})`);
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  }, TURN_TIMEOUT_MS);
  await tab.locator('llm-chat textarea').press('Enter');
  if (whileStreaming) await whileStreaming();
  return watched;
}

/**
 * Registers the suite for one example: send and stream, the finish event into framework state,
 * Stop through a ref, and the bound `system` prompt in the request the gateway received.
 */
export function describeExample(name: string, options: ExampleOptions): void {
  describe(`examples/${name}`, () => {
    let browser: Browser;
    let gateway: RunningGateway;
    let url = '';
    const requests: RecordedRequest[] = [];

    before(
      async () => {
        const root = options.build ? await options.build() : options.root;
        assert.ok(root, 'a built app or a root to serve');
        const chat = createChatHandler({
          upstream: createMockUpstream({ tokensPerSecond: TOKENS_PER_SECOND, answers: [ANSWER] }),
          rateLimit: 0,
          onLog: () => undefined,
        });
        const recording: ChatHandler = async (request, info) => {
          // Chat requests only: Stop also POSTs to the stream's stop route (DESIGN.md §4b).
          if (request.method === 'POST' && !parseStreamRoute(new URL(request.url).pathname)) {
            const body = (await request
              .clone()
              .json()
              .catch(() => ({}))) as { messages?: Array<{ role: string; content: string }> };
            requests.push({ system: body.messages?.find((m) => m.role === 'system')?.content });
          }
          return chat(request, info);
        };
        gateway = await startGateway({ port: 0, staticDir: root, handler: recording });
        url = `${gateway.url}${options.path ?? '/'}`;
        browser = await launchChromium();
      },
      { timeout: 300_000 },
    );

    after(async () => {
      await browser?.close();
      await gateway?.close({ graceMs: 0 });
    });

    /** A fresh tab (its own storage) on the app, with its errors collected. */
    async function open(): Promise<{ tab: Page; errors: string[]; scripts: string[] }> {
      const context = await browser.newContext();
      const tab = await context.newPage();
      const errors: string[] = [];
      const scripts: string[] = [];
      tab.on('pageerror', (error) => errors.push(error.message));
      tab.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      tab.on('request', (request) => {
        if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
      });
      await tab.goto(url);
      await tab.locator('llm-chat textarea').waitFor({ timeout: 10_000 });
      return { tab, errors, scripts };
    }

    it('streams an answer from /api/chat; llm-chat-finish reaches framework state', { timeout: 60_000 }, async () => {
      const { tab, errors, scripts } = await open();
      // A framework may set it as a property (React 19, Vue, Svelte, Angular) or as an attribute (HTML).
      assert.equal(await tab.evaluate(() => document.querySelector('llm-chat')?.endpoint), '/api/chat');
      assert.equal(await tab.locator('#last-status').innerText(), '—', 'no finish event yet');
      const before = requests.length;

      const turn = await sendAndWatch(tab, 'What is streaming?');

      assert.ok(turn.lengths.length >= 5, `the answer arrived in pieces, got lengths ${turn.lengths.join(', ')}`);
      assert.ok(
        turn.lengths.every((length, index) => index === 0 || length > (turn.lengths[index - 1] as number)),
        'the text only grew',
      );
      assert.ok((turn.lengths.at(-1) as number) > ANSWER.length * 0.8, 'the whole answer (its markdown rendered)');
      assert.equal(turn.messageStatus, 'complete');
      assert.equal(turn.elementStatus, 'idle');
      await tab.waitForFunction(() => document.querySelector('#last-status')?.textContent === 'complete', undefined, {
        timeout: 5000,
      });
      assert.match(await tab.locator('#last-ttft').innerText(), /^\d+ ms$/, 'TTFT from the finish event, in framework state');
      assert.deepEqual(
        requests.slice(before).map((r) => r.system),
        [SYSTEM_PROMPTS[0]],
        'one request, carrying the system prompt bound from framework state',
      );
      options.check?.({ scripts });
      assert.deepEqual(errors, []);
      await tab.context().close();
    });

    it(
      'Stop (through a ref) ends a streaming answer as stopped; a changed select reaches the next request',
      { timeout: 60_000 },
      async () => {
        const { tab, errors } = await open();
        await tab.locator('select#tone').selectOption({ index: 1 });
        const before = requests.length;

        const turn = await sendAndWatch(tab, 'How does streaming work?', async () => {
          await tab.waitForFunction(
            () => {
              const answer = document
                .querySelector('llm-chat')
                ?.shadowRoot?.querySelector('[part~="message--assistant"] [part~="content"]');
              return (answer?.textContent?.length ?? 0) > 20;
            },
            undefined,
            { timeout: 10_000 },
          );
          await tab.locator('button#stop').click();
        });

        assert.equal(turn.messageStatus, 'stopped');
        assert.equal(turn.elementStatus, 'idle');
        const kept = turn.lengths.at(-1) as number;
        assert.ok(
          kept > 20 && kept < ANSWER.length / 2,
          `the partial answer is kept, and it is partial (${kept} of ~${ANSWER.length} characters)`,
        );
        await tab.waitForFunction(() => document.querySelector('#last-status')?.textContent === 'stopped', undefined, { timeout: 5000 });
        assert.deepEqual(
          requests.slice(before).map((r) => r.system),
          [SYSTEM_PROMPTS[1]],
          'the request carries the newly selected system prompt',
        );
        assert.deepEqual(errors, []);
        await tab.context().close();
      },
    );
  });
}
