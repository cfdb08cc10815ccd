import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError, ENV_VARIABLES, configFromEnv } from './config-from-env.js';
import { MOCK_SCENARIOS } from './mock-scenarios.js';
import { startGateway } from './start-gateway.js';

/** Exit code for invalid configuration or usage, so scripts can tell it from a crash. */
const EXIT_CONFIG = 2;

/**
 * Builds the `--help` text from {@link ENV_VARIABLES}, so the list can't drift from the code.
 *
 * @returns The help text.
 */
export function helpText(): string {
  const width = Math.max(...ENV_VARIABLES.map((variable) => variable.name.length));
  const lines = ENV_VARIABLES.map(
    (variable) =>
      `  ${variable.name.padEnd(width)}  ${variable.description}${variable.defaultValue ? ` (default: ${variable.defaultValue})` : ''}`,
  );
  return [
    'llm-chat-gateway — reference gateway for <llm-chat>: keeps the provider API key on the server.',
    '',
    'Usage: llm-chat-gateway [--help]',
    '',
    'Serves POST /api/chat and POST /v1/chat/completions (OpenAI Chat Completions, streaming),',
    'GET <chat path>/streams/<id> (resume, with Last-Event-ID) and POST <chat path>/streams/<id>/stop,',
    'GET /healthz, and optionally static files. Configuration comes from the environment:',
    '',
    ...lines,
    '',
    'Without configuration it runs the mock provider (no key needed). Mock scenarios, selected with',
    'the header X-Mock-Scenario or a message starting with "/scenario <name>":',
    `  ${MOCK_SCENARIOS.join(', ')}`,
    '',
    'Example:',
    '  LLM_PROVIDER=openai-compatible LLM_BASE_URL=https://api.openai.com/v1 \\',
    '  LLM_API_KEY=sk-... LLM_MODEL=gpt-4o-mini llm-chat-gateway',
  ].join('\n');
}

/**
 * Runs the CLI: parses flags, reads the environment, starts the gateway and shuts it down
 * gracefully on SIGINT/SIGTERM (a second signal forces the exit).
 *
 * @param argv - Arguments after the script name.
 * @param env - The environment.
 * @returns The exit code when the CLI ends by itself (help, bad configuration, listen
 * failure); `undefined` when the server is running.
 */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number | undefined> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  const unknown = argv.find((arg) => arg !== '--');
  if (unknown !== undefined) {
    process.stderr.write(`llm-chat-gateway: unknown argument "${unknown}". Configuration is read from the environment; see --help.\n`);
    return EXIT_CONFIG;
  }

  let config;
  try {
    config = configFromEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`llm-chat-gateway: ${error.message}\nRun llm-chat-gateway --help for the list of settings.\n`);
      return EXIT_CONFIG;
    }
    throw error;
  }
  for (const warning of config.warnings) process.stderr.write(`llm-chat-gateway: warning: ${warning}\n`);
  // Start on Redis when it is there; when it is not, the store has logged why and serves
  // from local state until it comes back (the documented fail-open policy).
  await config.redis?.connect();

  let gateway;
  try {
    gateway = await startGateway({
      ...config.handler,
      host: config.host,
      port: config.port,
      ...(config.staticDir ? { staticDir: config.staticDir } : {}),
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason =
      code === 'EADDRINUSE'
        ? `port ${config.port} is already in use (set PORT to another port)`
        : code === 'EACCES'
          ? `no permission to listen on ${config.host}:${config.port}`
          : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
            ? `HOST ${config.host} is not an address of this machine`
            : String((error as Error).message);
    process.stderr.write(`llm-chat-gateway: cannot listen: ${reason}.\n`);
    await config.redis?.close();
    return 1;
  }

  const model = config.handler.defaultModel ?? config.handler.upstream.defaultModel ?? 'any';
  process.stdout.write(
    [
      `llm-chat gateway listening on ${gateway.url} (provider: ${config.provider}, model: ${model})`,
      `  chat endpoint:   POST ${gateway.url}/api/chat`,
      `  OpenAI baseURL:  ${gateway.url}/v1`,
      `  health:          GET ${gateway.url}/healthz`,
      `  resume:          GET ${gateway.url}/api/chat/streams/<X-Stream-ID> (Last-Event-ID), POST .../stop`,
      `  shared state:    ${config.redis ? `redis (${config.redis.mode})` : 'this process only (set REDIS_URL to share it)'}`,
      ...(config.staticDir ? [`  static files:    ${config.staticDir} at ${gateway.url}/`] : []),
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`llm-chat-gateway: ${signal} again, exiting now.\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`llm-chat-gateway: ${signal} received, finishing running streams (up to 5 s)...\n`);
    void gateway
      .close({ graceMs: 5000 })
      .then(() => config.redis?.close())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  return undefined;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main().then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`llm-chat-gateway: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
