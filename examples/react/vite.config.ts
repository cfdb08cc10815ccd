import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev` forwards /api to the reference gateway (`npm run gateway` at the repository root);
// X-Forwarded-Host tells the gateway the page and the API share an origin.
export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8787', xfwd: true } } },
});
