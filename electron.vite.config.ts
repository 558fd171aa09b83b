import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rollupOptions: { input: { index: resolve('main/index.ts') } },
    },
  },
  preload: {
    // One self-contained CommonJS file: a sandboxed preload can require only 'electron'.
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve('renderer'),
    plugins: [react()],
    // Minified like any web build (electron-vite leaves the renderer unminified): a third of the script to parse at launch.
    build: { minify: true, rollupOptions: { input: { index: resolve('renderer/index.html') } } },
  },
});
