#!/usr/bin/env node
// The published CLI. It runs the compiled gateway (npm run build:gateway writes dist/node/gateway).
let cli;
try {
  cli = await import('../dist/node/gateway/cli.js');
} catch (error) {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/node/gateway/cli.js')) {
    process.stderr.write('llm-chat-gateway: dist/node/gateway is missing; run `npm run build:gateway` first.\n');
    process.exit(1);
  }
  throw error;
}
const code = await cli.main();
if (code !== undefined) process.exitCode = code;
