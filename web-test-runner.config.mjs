// Browser tests: real Chromium (Debian's /usr/bin/chromium), TypeScript through esbuild,
// with real HTTP endpoints mounted in the dev server on 127.0.0.1.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { tsImport } from 'tsx/esm/api';

const { handleScriptRequest } = await tsImport('./test/support/script-server.ts', import.meta.url);

const chromiumFlags = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default {
  files: ['test/{core,transport,markdown,element}/**/*.test.ts'],
  hostname: '127.0.0.1',
  nodeResolve: { exportConditions: ['production'] },
  concurrency: 1,
  middleware: [
    async (ctx, next) => {
      if (ctx.path.startsWith('/__script')) {
        ctx.respond = false;
        await handleScriptRequest(ctx.req, ctx.res);
        return;
      }
      return next();
    },
  ],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' })],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        args: chromiumFlags,
      },
    }),
  ],
  testFramework: { config: { timeout: 10000 } },
};
