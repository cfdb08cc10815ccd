/**
 * Three jobs in one config:
 * - `vite` (npm run demo): serves demo/ with the reference gateway mounted at /api/chat
 *   (the mock upstream unless the environment configures a real provider), and demo-only
 *   endpoints for the other protocols at /api/demo/<protocol> (always the mock);
 * - `vite build` (mode "embed"): dist/llm-chat.js, the self-contained embed bundle that
 *   registers <llm-chat> with every dependency inlined, and beside it one chunk per protocol
 *   adapter other than `openai`, loaded only by pages that set that `protocol`;
 * - `vite build --mode modules`: the npm entry points (index, core, transport, markdown)
 *   with dependencies left as imports, so an app bundles one copy of Lit.
 */
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import { isGatewayPath } from './src/wire/routes.js';
import { minifyLitCss } from './scripts/minify-lit-css.js';

function gatewayPlugin(): Plugin {
  return {
    name: 'llm-chat-gateway',
    async configureServer(server) {
      // Imported lazily so that `vite build` never loads Node-only gateway code.
      const { configFromEnv, createChatHandler, createMockUpstream, createNodeHandler } = await import('./src/gateway/index.js');
      const { createProtocolEndpoints } = await import('./demo/protocol-endpoints.js');
      const config = configFromEnv({ ...process.env, ALLOWED_ORIGINS: process.env.ALLOWED_ORIGINS ?? '*' });
      const handler = createNodeHandler(createChatHandler(config.handler));
      // The demo's other protocols always answer from the mock (its pace from the environment).
      const protocols = createProtocolEndpoints(config.provider === 'mock' ? config.handler.upstream : createMockUpstream());
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0];
        if (isGatewayPath(path ?? '')) {
          handler(req, res);
          return;
        }
        protocols(req, res).then(
          (handled) => handled || next(),
          (error: unknown) => next(error),
        );
      });
      server.httpServer?.once('listening', () => {
        const provider = config.provider;
        setTimeout(
          () =>
            server.config.logger.info(
              `  llm-chat gateway: /api/chat → ${provider} upstream${provider === 'mock' ? ' (no API key needed)' : ''}`,
            ),
          50,
        );
      });
    },
  };
}

export default defineConfig(({ mode }) => {
  if (mode === 'modules') {
    return {
      build: {
        outDir: 'dist',
        emptyOutDir: false,
        sourcemap: true,
        minify: false,
        lib: {
          entry: {
            index: 'src/index.ts',
            core: 'src/core/index.ts',
            transport: 'src/transport/index.ts',
            markdown: 'src/markdown/index.ts',
          },
          formats: ['es'],
        },
        rolldownOptions: { external: [/^lit/, 'marked', 'dompurify', /^eventsource-parser/, /^highlight\.js/] },
      },
    };
  }
  return {
    root: mode === 'production' || mode === 'embed' ? '.' : 'demo',
    server: { host: '127.0.0.1', port: Number(process.env.DEMO_PORT ?? 5173), strictPort: false },
    preview: { host: '127.0.0.1' },
    plugins: [gatewayPlugin(), minifyLitCss(/\/src\/element\/[^/]+\.styles\.ts$/)],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      sourcemap: true,
      target: 'es2022',
      // The embed bundle is what pages download: minify all of it (lib mode would keep whitespace).
      minify: true,
      lib: { entry: 'src/llm-chat.ts', formats: ['es'], fileName: () => 'llm-chat.js' },
      rolldownOptions: {
        // Lib mode keeps the entry's exports exactly ("strict"), which moves every module the
        // lazily loaded protocol adapters share with the entry into a third chunk that
        // llm-chat.js would then import. Letting the entry export a few extra bindings keeps
        // it self-contained; each adapter becomes one sibling chunk that imports from it.
        preserveEntrySignatures: 'allow-extension',
        output: { minify: true, chunkFileNames: '[name]-[hash].js' },
      },
    },
  };
});
