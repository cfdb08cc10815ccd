import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [svelte()],
  // `npm run dev` forwards /api to the reference gateway (`npm run gateway` at the repository root);
  // X-Forwarded-Host tells the gateway the page and the API share an origin.
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8787', xfwd: true } } },
});
