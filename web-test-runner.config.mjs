// Browser tests: real Chromium (Debian's /usr/bin/chromium), TypeScript through esbuild,
// with real HTTP endpoints mounted in the dev server on 127.0.0.1.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { tsImport } from 'tsx/esm/api';

const { handleScriptRequest } = await tsImport('./test/support/script-server.ts', import.meta.url);
const { CHROMIUM_ARGS, CHROMIUM_PATH } = await tsImport('./test/support/chromium.ts', import.meta.url);

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
        executablePath: CHROMIUM_PATH,
        args: ['--headless=new', ...CHROMIUM_ARGS],
      },
    }),
  ],
  testFramework: { config: { timeout: 10000 } },
};
