/**
 * The layer rule (eslint.config.js) is only worth having if it refuses what it names. Each case writes
 * a probe file into a layer's folder, lints it with the project's real ESLint configuration, and
 * expects the import refused (or, for the allowed cases, accepted).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');

interface Probe {
  folder: string;
  spec: string;
  refused: boolean;
}

const refused = (folder: string, ...specs: string[]): Probe[] => specs.map((spec) => ({ folder, spec, refused: true }));
const allowed = (folder: string, ...specs: string[]): Probe[] => specs.map((spec) => ({ folder, spec, refused: false }));

const PROBES: Probe[] = [
  ...refused('main/rules', 'node:fs', 'knex', 'electron', '../services/records', '../domain/rows', '../db/database'),
  ...allowed('main/rules', './calendar'),
  ...refused('main/domain', 'node:fs', 'knex', 'electron', '../db/database', '../services/records', '../filters/fields', '../jobs'),
  ...allowed('main/domain', '../rules/calendar', './rows', 'zod'),
  ...refused('main/db', '../services/context', '../import/write', '../sync/export', '../filters/fields', '../scheduler', 'electron'),
  ...refused('main/db/migrations', '../../services/context', '../../sync/format'),
  ...allowed('main/db', '../domain/rows', '../rules/calendar', 'knex'),
  ...refused('main/filters', '../services/contacts', '../import/csv', '../ipc/contract'),
  ...allowed('main/filters', '../db/database', '../domain/text-search'),
  ...refused('main/services', '../sync/export', '../import/batch', '../ipc/contract', '../scheduler', '../jobs', '../backend', 'electron'),
  ...allowed('main/services', '../db/database', '../filters/compile', 'csv-stringify/sync'),
  ...refused('main/sync', '../import/batch', '../ipc/contract', '../scheduler'),
  ...allowed('main/sync', '../services/changelog'),
  ...refused('main/import', '../ipc/contract', '../backend', '../jobs'),
  ...allowed('main/import', '../sync/format', '../services/records'),
  ...refused('main/ipc', '../shell/security', '../backend', 'electron'),
  ...allowed('main/ipc', '../jobs', '../services/records'),
  ...refused('main/web', 'electron'),
  ...refused('renderer/src', '../../main/services/records', '../../main/db/database', '../../main/rules/engine', '../../main/jobs', 'electron', 'node:fs'),
  ...allowed('renderer/src', '../../main/ipc/contract', '../../main/filters/fields', '../../main/rules/statuses', '../../main/domain/rows'),
];

const files = PROBES.map((probe, i) => path.join(ROOT, probe.folder, `__layer_probe_${i}.ts`));
let results: ESLint.LintResult[] = [];

beforeAll(async () => {
  PROBES.forEach((probe, i) => fs.writeFileSync(files[i] as string, `import '${probe.spec}';\n`));
  try {
    // Type information adds nothing to an import rule and costs a whole TypeScript program.
    results = await new ESLint({ cwd: ROOT, overrideConfig: tseslint.configs.disableTypeChecked }).lintFiles(files);
  } finally {
    for (const file of files) fs.rmSync(file, { force: true });
  }
}, 120_000);

afterAll(() => {
  for (const file of files) fs.rmSync(file, { force: true });
});

describe('the layer rule', () => {
  it.each(PROBES.map((probe, i) => ({ ...probe, i })))('$folder importing $spec is refused: $refused', ({ i, refused: shouldRefuse }) => {
    const result = results.find((r) => r.filePath === files[i]);
    expect(result, 'the probe was linted').toBeDefined();
    const restricted = result?.messages.filter((m) => m.ruleId === 'no-restricted-imports') ?? [];
    expect(restricted.length > 0).toBe(shouldRefuse);
  });
});
