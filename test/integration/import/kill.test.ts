/**
 * RELIABILITY.md: kill the process (SIGKILL) at random points of a 10k-row
 * import. Every time the file passes integrity_check and the import is all or
 * nothing: no contact without its change-log entry, none half there.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeDatabase, DATABASE_FILE, openDatabase } from '../../../main/db/database';
import { random } from '../../support/random';
import { freshDb, removeDir, tempDir } from '../support';
import { csv } from './helpers';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const CHILD = path.join(import.meta.dirname, 'import-child.ts');
const ROWS = 10_000;
const RUNS = 8;

let template: string;
let csvFile: string;
const dirs: string[] = [];

beforeAll(async () => {
  const t = await freshDb();
  await t.close();
  template = t.dir;
  dirs.push(t.dir);
  csvFile = path.join(t.dir, 'contacts.csv');
  fs.writeFileSync(
    csvFile,
    csv([
      ['First Name', 'Last Name', 'Email', 'Member Number'],
      ...Array.from({ length: ROWS }, (_, i) => [`Zoë${i}`, `Öztürk ${i}`, `z${i}@example.org`, `K-${i}`]),
    ]),
  );
});
afterAll(() => {
  for (const dir of dirs) removeDir(dir);
});

/** Runs the child and kills it once it reports `killAt` rows written (never, when null). */
function runChild(dataDir: string, killAt: number | null): Promise<{ killed: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, csvFile], { cwd: ROOT });
    let output = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      const done = [...output.matchAll(/progress (\d+)/g)].map((m) => Number(m[1])).at(-1);
      if (killAt !== null && !killed && done !== undefined && done >= killAt) {
        killed = child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', () => resolve({ killed, output }));
  });
}

it(`SIGKILL at ${RUNS} random points of a ${ROWS.toLocaleString('en')}-row import: integrity ok, all or nothing`, async () => {
  const rnd = random(7);
  const outcomes: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const dataDir = tempDir('certdesk-import-kill-');
    dirs.push(dataDir);
    for (const name of fs.readdirSync(template).filter((n) => n.startsWith(DATABASE_FILE)))
      fs.copyFileSync(path.join(template, name), path.join(dataDir, name));
    const killAt = Math.floor(rnd() * ROWS);
    const { killed, output } = await runChild(dataDir, killAt);
    expect(killed || output.includes(`done ${ROWS}`), output).toBe(true);

    const db = await openDatabase({ dataDir });
    try {
      const integrity = (await db.raw('PRAGMA integrity_check')) as Array<{ integrity_check: string }>;
      expect(integrity).toEqual([{ integrity_check: 'ok' }]);
      const contacts = Number(((await db('contacts').count({ n: '*' }).first()) as { n: number }).n);
      const logged = Number(((await db('change_log').where({ entity: 'contact' }).count({ n: '*' }).first()) as { n: number }).n);
      expect([0, ROWS], `run ${run}, killed at ${killAt}`).toContain(contacts);
      expect(logged).toBe(contacts);
      outcomes.push(contacts);
    } finally {
      await closeDatabase(db);
    }
  }
  console.log(`import kill runs: ${outcomes.map((n) => (n === 0 ? 'nothing' : 'all')).join(', ')}`);
  // Most kills land inside the transaction.
  expect(outcomes.filter((n) => n === 0).length).toBeGreaterThan(RUNS / 2);
}, 180_000);
