import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

export default defineConfig({
  // Tell Vue's template compiler that <llm-chat> is a custom element, not a Vue component.
  plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'llm-chat' } } })],
  // `npm run dev` forwards /api to the reference gateway (`npm run gateway` at the repository root);
  // X-Forwarded-Host tells the gateway the page and the API share an origin.
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8787', xfwd: true } } },
});
