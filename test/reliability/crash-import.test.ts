/**
 * RELIABILITY.md promise 1 (and 6's "commit nothing or exactly the valid
 * rows") for the contacts CSV import: a child process imports a 10,000-row
 * file (new contacts, changes to existing ones, a few invalid rows) and is
 * SIGKILLed at a random point. After each kill, opened again as the app
 * would: integrity_check ok, foreign_key_check empty, change_log 1..max, every
 * new or changed contact logged for the sync export, and every table equal to
 * either the database before or an uninterrupted import; importing the same
 * file again ends exactly where the uninterrupted import ended.
 *
 * Kept apart from crash.test.ts: the import is newer code, and this file
 * keeps the other crash tests within their time budget.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseFile, openDatabase, type Db } from '../../main/db/database';
import { applyContactsCsv } from '../../main/import/contacts-csv';
import { SYSTEM } from '../../main/services/context';
import { loadDemoData } from '../../main/services/demo';
import { writeSettings } from '../../main/services/settings';
import {
  attach,
  BASE_NOW,
  checkAfterRestart,
  checkpointAndClose,
  childCommand,
  compareWith,
  copyDataDir,
  detach,
  diffFrom,
  doneResult,
  FigureBook,
  isEmpty,
  killDelays,
  OFFICE_TZ,
  pool,
  random,
  removeDir,
  runChild,
  tempDir,
  withDb,
  type ChildCommand,
} from './support';

// Kills: 8 in `npm test` (stratified over the whole import); CERTDESK_CRASH_RUNS=50 for a longer hunt.
const RUNS = Number(process.env.CERTDESK_CRASH_RUNS ?? 8);
const PARALLEL = Number(process.env.CERTDESK_CRASH_PARALLEL ?? 3);
const ROWS = 10_000;
const DEMO_CONTACTS = 150;
const SEED = Number(process.env.CERTDESK_CRASH_SEED ?? Math.floor(Math.random() * 1e9));

const dirs: string[] = [];
const figures = new FigureBook();
let base: string;
let baseFile: string;
let csv: string;
let child: ChildCommand;
let ref: { file: string; ms: number; rows: { new: number; changed: number; unchanged: number; rejected: number } };

const NAMES = ['Zoë', 'İlknur', 'Straße', 'José', 'Nguyễn', 'Søren', 'O’Brien', 'Anne-Marie', 'محمد', 'יעל', '李', 'Łukasz', 'Renée'];

function cell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** ROWS rows: mostly new contacts, a change for each demo contact, and some invalid rows. */
function writeCsv(file: string): void {
  const rnd = random(4242);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const lines = ['First name,Last name,Email,Member number,Organization,Phone'];
  for (let i = 0; i < ROWS; i++) {
    if (i < DEMO_CONTACTS) {
      // Demo contacts carry member numbers M100000…: the import changes their organization.
      lines.push([`Demo${i}`, `Changed ${i}`, `demo${i}@example.org`, `M${100000 + i}`, 'Moved, to "Elsewhere"', ''].map(cell).join(','));
    } else if (i % 97 === 0) {
      lines.push([pick(NAMES), `Invalid ${i}`, 'not-an-email', `I${i}`, '', ''].map(cell).join(','));
    } else {
      lines.push(
        [
          pick(NAMES),
          `${pick(NAMES)} ${i}`,
          `c${i}@example.org`,
          `C${200000 + i}`,
          rnd() < 0.3 ? 'Association "A"; Inc.' : '',
          `+1 555 ${String(i).padStart(4, '0')}`,
        ]
          .map(cell)
          .join(','),
      );
    }
  }
  fs.writeFileSync(file, `${lines.join('\r\n')}\r\n`);
}

/** New or changed contacts without their change-log entry (against the base attached as `b`). */
async function unloggedContacts(db: Db): Promise<number[]> {
  await attach(db, baseFile, 'b');
  try {
    const rows = (await db.raw(
      `select c.id from main.contacts c left join b.contacts o on o.id = c.id
       where (o.id is null or c.updated_at <> o.updated_at or c.organization <> o.organization)
         and not exists (select 1 from main.change_log l where l.entity = 'contact' and l.entity_id = c.id
                         and l.seq > (select coalesce(max(seq), 0) from b.change_log))
       limit 20`,
    )) as Array<{ id: number }>;
    return rows.map((r) => r.id);
  } finally {
    await detach(db, 'b');
  }
}

beforeAll(async () => {
  console.log(`import crash tests: seed ${SEED}`);
  base = tempDir('certdesk-rel-imp-base-');
  const build = tempDir('certdesk-rel-imp-child-');
  const aside = tempDir('certdesk-rel-imp-csv-');
  dirs.push(base, build, aside);
  child = await childCommand('import-child.ts', build);
  csv = path.join(aside, 'contacts.csv');
  writeCsv(csv);
  const clock = { now: () => new Date(BASE_NOW) };
  const db = await openDatabase({ dataDir: base, now: clock.now });
  await writeSettings(db, { timeZone: OFFICE_TZ, expiringDays: 30 });
  await loadDemoData({ db, clock }, SYSTEM, { contacts: DEMO_CONTACTS, seed: 3 });
  await checkpointAndClose(db);
  const attachable = copyDataDir(base, 'certdesk-rel-imp-attach-');
  dirs.push(attachable);
  baseFile = databaseFile(attachable);

  const refDir = copyDataDir(base, 'certdesk-rel-imp-ref-');
  dirs.push(refDir);
  const refDb = await openDatabase({ dataDir: refDir, now: clock.now });
  try {
    const t0 = performance.now();
    const result = await applyContactsCsv({ db: refDb, clock }, SYSTEM, { file: csv });
    ref = { file: databaseFile(refDir), ms: performance.now() - t0, rows: result.rows };
  } finally {
    await checkpointAndClose(refDb);
  }
  // The same import, uninterrupted, in PARALLEL children at once as in the test: each must end exactly as
  // the reference, and the slowest one's time from "ready" to exit sets the range of the kill delays.
  const times = await pool(
    Array.from({ length: PARALLEL }, (_, k) => k),
    PARALLEL,
    async () => {
      const calibDir = copyDataDir(base, 'certdesk-rel-imp-calib-');
      try {
        const calib = await runChild(child, [calibDir, BASE_NOW, csv], null);
        expect(calib.finished, calib.output).toBe(true);
        expect((await withDb(calibDir, (db) => diffFrom(db, ref.file))).diff, 'the import in a child process ends as the reference').toEqual({});
        return calib.afterReadyMs;
      } finally {
        removeDir(calibDir);
      }
    },
  );
  ref.ms = Math.max(...times);
  console.log(`import reference: ${ROWS} rows → ${JSON.stringify(ref.rows)}; children take up to ${ref.ms} ms from ready to exit`);
  expect(ref.rows.new).toBeGreaterThan(9000);
  expect(ref.rows.changed).toBe(DEMO_CONTACTS);
  expect(ref.rows.rejected).toBeGreaterThan(50);
}, 120_000);

afterAll(() => {
  for (const dir of dirs) removeDir(dir);
  console.log(`import crash figures (seed ${SEED}, children ${child.how}):\n${figures.report()}`);
});

describe('SIGKILL at random points of a 10,000-row contacts import, then restart', () => {
  it(`(${RUNS} kills): the import is all there or not at all, every change logged, and importing again completes it`, async () => {
    const f = figures.of('import');
    const plan = killDelays(SEED, ref.ms, RUNS);
    f.delays = [5, plan.top];
    await pool(plan.delays, PARALLEL, async (delay, i) => {
      const label = `import #${i + 1} (kill ${delay} ms after ready)`;
      const dir = copyDataDir(base, 'certdesk-rel-imp-');
      try {
        const run = await runChild(child, [dir, BASE_NOW, csv], delay);
        expect(run.killed || (run.code === 0 && run.finished), `${label}: ${run.output}`).toBe(true);
        f.count(run);
        const wasAll = await withDb(
          dir,
          async (db) => {
            const { problems, rows } = await checkAfterRestart(db, baseFile, label);
            const unlogged = await unloggedContacts(db);
            if (unlogged.length > 0) problems.push(`${label}: contacts changed without a change-log entry: ${unlogged.join(', ')}`);
            const after = await compareWith(db, baseFile, ref.file);
            const none = isEmpty(after.toBase);
            const all = isEmpty(after.toRef);
            if (none) f.noneThere++;
            if (all) f.allThere++;
            if (!none && !all)
              problems.push(`${label}: half an import; rows differing from before ${JSON.stringify(after.toBase)}, from after ${JSON.stringify(after.toRef)}`);
            if (run.finished && !all) problems.push(`${label}: the child reported done but the import is not there`);
            f.rowsChecked += rows + after.rows * 2;
            if (problems.length > 0) f.failures++;
            expect(problems, label).toEqual([]);
            return all;
          },
          () => new Date(BASE_NOW),
        );

        // Import the same file again, in a process of its own like the app would after a restart.
        const again = doneResult<{ rows: typeof ref.rows }>(await runChild(child, [dir, BASE_NOW, csv], null));
        const expected = wasAll ? { ...ref.rows, new: 0, changed: 0, unchanged: ref.rows.new + ref.rows.changed + ref.rows.unchanged } : ref.rows;
        expect(again.rows, `${label}: importing again`).toEqual(expected);
        await withDb(
          dir,
          async (db) => {
            const problems: string[] = [];
            const final = await diffFrom(db, ref.file);
            if (!isEmpty(final.diff)) problems.push(`${label}: after importing again, rows differ from an uninterrupted import: ${JSON.stringify(final.diff)}`);
            const finalChecks = await checkAfterRestart(db, baseFile, `${label}, after importing again`);
            problems.push(...finalChecks.problems);
            f.rowsChecked += final.rows + finalChecks.rows;
            if (problems.length > 0) f.failures++;
            expect(problems, label).toEqual([]);
          },
          () => new Date(BASE_NOW),
        );
      } finally {
        removeDir(dir);
      }
    });
    expect(f.runs).toBe(RUNS);
  }, 150_000);
});
