import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const ELECTRON = { name: 'electron', message: 'Only main/shell and main/index.ts talk to Electron.' };
const NODE_AND_DATABASE = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'knex', 'sqlite3'];
// Relative imports only: a package such as csv-stringify/sync is no layer of ours.
const above = (...names) => names.flatMap((n) => [`../${n}`, `../${n}/*`, `../../${n}`, `../../${n}/*`]);
const BACKGROUND = above('jobs', 'scheduler');
const COMPOSITION = above('backend', 'index');

/**
 * The layer rule, lowest first; each layer may import the ones before it and nothing after:
 *   rules (pure status rules) < domain (pure shared vocabulary: rows, entities, text) < db < filters
 *   < services < sync < import < jobs.ts, scheduler.ts (background work) < ipc < backend.ts
 *   < shell, web, index.ts.
 * The renderer may import from main/ only the IPC contract and API, the filter field list, the status
 * names and the pure domain modules.
 */
export const LAYERS = [
  { name: 'rules', files: ['main/rules/**/*.{ts,tsx}'], forbid: ['../*', ...NODE_AND_DATABASE, 'zod'] },
  {
    name: 'domain',
    files: ['main/domain/**/*.{ts,tsx}'],
    forbid: [...NODE_AND_DATABASE, ...above('db', 'filters', 'services', 'import', 'sync', 'ipc', 'shell', 'web'), ...BACKGROUND, ...COMPOSITION],
  },
  {
    name: 'db',
    files: ['main/db/**/*.{ts,tsx}'],
    forbid: [...above('filters', 'services', 'import', 'sync', 'ipc', 'shell', 'web'), ...BACKGROUND, ...COMPOSITION],
  },
  {
    name: 'filters',
    files: ['main/filters/**/*.{ts,tsx}'],
    forbid: [...above('services', 'import', 'sync', 'ipc', 'shell', 'web'), ...BACKGROUND, ...COMPOSITION],
  },
  { name: 'services', files: ['main/services/**/*.{ts,tsx}'], forbid: [...above('import', 'sync', 'ipc', 'shell', 'web'), ...BACKGROUND, ...COMPOSITION] },
  { name: 'sync', files: ['main/sync/**/*.{ts,tsx}'], forbid: [...above('import', 'ipc', 'shell', 'web'), ...BACKGROUND, ...COMPOSITION] },
  { name: 'import', files: ['main/import/**/*.{ts,tsx}'], forbid: [...above('ipc', 'shell', 'web'), ...BACKGROUND, ...COMPOSITION] },
  { name: 'background', files: ['main/jobs.ts', 'main/scheduler.ts'], forbid: [...above('ipc', 'shell', 'web'), ...COMPOSITION] },
  { name: 'ipc', files: ['main/ipc/**/*.{ts,tsx}'], forbid: [...above('shell', 'web'), ...COMPOSITION] },
  { name: 'backend', files: ['main/backend.ts'], forbid: [...above('shell', 'web', 'index')] },
];

const RENDERER_MAY_IMPORT = ['ipc/contract', 'ipc/api', 'ipc/default-view', 'filters/fields', 'rules/statuses', 'domain/[\\w-]+'];

function layerRules() {
  return [
    ...LAYERS.map((layer) => ({
      files: layer.files,
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: [ELECTRON],
            patterns: [{ group: layer.forbid, message: `The ${layer.name} layer may not import this (see the layer rule in eslint.config.js).` }],
          },
        ],
      },
    })),
    {
      // Everything else in main/ (the web harness, the CLIs) runs without Electron too.
      files: ['main/**/*.ts'],
      ignores: ['main/index.ts', 'main/shell/**', ...LAYERS.flatMap((l) => l.files)],
      rules: { 'no-restricted-imports': ['error', { paths: [ELECTRON] }] },
    },
    {
      files: ['renderer/**/*.{ts,tsx}'],
      ignores: ['renderer/vite.web.config.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: `(^|/)main/(?!(${RENDERER_MAY_IMPORT.join('|')})$)`,
                message:
                  'The renderer talks to main through window.certdesk; from main/ it may import only the IPC contract, the filter fields, the status names and domain/.',
              },
              { group: ['electron', 'node:*'], message: 'The renderer runs in a sandbox: no Electron, no Node.' },
            ],
          },
        ],
      },
    },
  ];
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'bench-results/**', '**/*.cjs', 'eslint.config.js', 'scripts/*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  // The layers of main/ (docs: README "Layers"). Each block names what its folder must not import; a
  // file gets exactly one block (flat config would let a later block replace an earlier one's list).
  ...layerRules(),
  {
    // React's rules of hooks and the compiler's checks (effects, refs, purity) on every component and hook.
    files: ['renderer/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.{ts,mjs}', 'main/web/cli.ts'],
    rules: {
      'no-console': 'off',
      // expect.any() and friends are typed any.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
);
