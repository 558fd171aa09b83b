import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'bench-results/**', '**/*.cjs', 'eslint.config.js', 'scripts/*.mjs'] },
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
  {
    // The rules engine is pure: no Electron, no database, no file system.
    files: ['main/rules/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['electron', 'knex', 'sqlite3', 'node:*', 'fs', 'path', '../db/*', '../services/*'], message: 'The rules engine is pure.' }] },
      ],
    },
  },
  {
    // Only the shell and the Electron entry may import Electron; everything else runs under plain Node.
    files: ['main/**/*.ts'],
    ignores: ['main/index.ts', 'main/shell/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only main/shell and main/index.ts talk to Electron.' }] }],
    },
  },
  {
    // The renderer reaches main only through the API; it may import main's types and pure modules.
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.web.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/main/db/*', '**/main/services/*', '**/main/shell/*', 'electron', 'node:*'], allowTypeImports: true, message: 'The renderer talks to main through window.certdesk only.' }] },
      ],
    },
  },
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
