/**
 * The gateway CLI as a child process (tests about several instances, and the load script,
 * which measures its CPU and memory): started with an environment, its JSON log lines
 * collected, stopped or killed by whoever started it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A running gateway process. */
export interface GatewayProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Parsed JSON lines from stdout (request logs, state-store events). */
  logs: Record<string, unknown>[];
  /** Raw stdout and stderr so far. */
  output(): string;
  /** Resolves with the first log line (already written or to come) that matches. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `llm-chat-gateway` on 127.0.0.1 and a free port.
 *
 * @param env - Settings (PATH is added; PORT defaults to 0).
 * @param options - `execArgv` for node (e.g. `--cpu-prof`); `root`, a checkout whose
 * `src/gateway/cli.ts` to run (another revision, to compare).
 * @returns The process once it listens.
 */
export async function startGatewayProcess(
  env: Record<string, string>,
  options: { execArgv?: string[]; root?: string } = {},
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [...(options.execArgv ?? []), '--import', 'tsx', 'src/gateway/cli.ts'], {
    cwd: options.root ?? root,
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let waiters: { predicate: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }[] = [];
  let output = '';
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      logs.push(parsed);
      const matched = waiters.filter((waiter) => waiter.predicate(parsed));
      waiters = waiters.filter((waiter) => !matched.includes(waiter));
      for (const waiter of matched) waiter.resolve(parsed);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start within 20 s:\n${output}`)), 20_000);
    const onData = (): void => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited with ${code}:\n${output}`));
    });
  });

  return {
    url,
    pid: child.pid as number,
    child,
    logs,
    output: () => output,
    waitForLog(predicate, timeoutMs = 5000) {
      const existing = logs.find(predicate);
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve: (line: Record<string, unknown>) => (clearTimeout(timer), resolve(line)) };
        const timer = setTimeout(() => {
          waiters = waiters.filter((entry) => entry !== waiter);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for a log line`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      await exited;
    },
  };
}
