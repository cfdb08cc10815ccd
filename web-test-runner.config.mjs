// Browser tests: real Chromium (Debian's /usr/bin/chromium), TypeScript through esbuild,
// with real HTTP endpoints mounted in the dev server on 127.0.0.1.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { transform } from 'esbuild';
import { tsImport } from 'tsx/esm/api';

const { handleScriptRequest } = await tsImport('./test/support/script-server.ts', import.meta.url);
const { CHROMIUM_ARGS, CHROMIUM_PATH } = await tsImport('./test/support/chromium.ts', import.meta.url);

/**
 * highlight.js's ES module entry re-exports its CommonJS core, which the bundlers (Vite,
 * esbuild) convert but the test server, serving modules one by one, does not. This converts
 * that one file the same way esbuild does when bundling.
 */
const commonJsModules = {
  name: 'commonjs-modules',
  async transform(context) {
    if (!context.path.endsWith('/node_modules/highlight.js/lib/core.js')) return undefined;
    const { code } = await transform(context.body, { format: 'esm', loader: 'js' });
    return { body: code };
  },
};

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
  plugins: [commonJsModules, esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' })],
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
