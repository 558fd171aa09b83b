/**
 * The browser harness bundled the way electron-vite bundles the app's main process (one ES module,
 * dependencies left in node_modules), so a launch measured through it does not include tsx
 * transpiling every TypeScript source on start (about 1 s of CPU, which the desktop app never pays).
 */
import path from 'node:path';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
export const BUNDLED_HARNESS = path.join(PROJECT_ROOT, 'out', 'harness', 'cli.mjs');

let built: Promise<string> | null = null;

/** Builds `out/harness/cli.mjs` from `main/web/cli.ts` once per process; resolves to its path. */
export function buildBundledHarness(): Promise<string> {
  built ??= (async () => {
    const { build } = await import('vite');
    await build({
      configFile: false,
      root: PROJECT_ROOT,
      logLevel: 'warn',
      build: {
        ssr: path.join(PROJECT_ROOT, 'main/web/cli.ts'),
        outDir: path.dirname(BUNDLED_HARNESS),
        emptyOutDir: true,
        target: 'node20',
        minify: false,
        rollupOptions: { output: { format: 'es', entryFileNames: 'cli.mjs' } },
      },
    });
    return BUNDLED_HARNESS;
  })();
  return built;
}
