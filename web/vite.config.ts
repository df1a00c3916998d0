/** Builds the web UI into dist/web, which `rota serve` serves at `/` (src/api/web-ui.ts). */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
  },
  // `vite` in web/ for UI work: the API of a `rota serve` on :7070 behind the dev server
  server: { proxy: { '/api': 'http://127.0.0.1:7070' } },
});
