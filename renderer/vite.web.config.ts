/** The browser build of the renderer, served by the `npm run web` harness. */
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: resolve('renderer'),
  base: '/',
  plugins: [react()],
  build: {
    outDir: resolve('out/web'),
    emptyOutDir: true,
    rollupOptions: { input: { web: resolve('renderer/web.html') } },
    chunkSizeWarningLimit: 2000,
  },
});
