/**
 * RELIABILITY.md promises 1 and 4: a crash at any moment leaves each change
 * fully there or fully absent, with its history, change log and outbox rows.
 *
 * A child process opens a copy of a populated database the way the app does,
 * prints "ready", and runs one operation: the time sweep a year later, a bulk
 * status change of 2,000 records, or a sync export (no crash hook). The parent
 * SIGKILLs it after a random delay, opens the database again as the app would,
 * and checks:
 * - PRAGMA integrity_check = ok, PRAGMA foreign_key_check empty;
 * - all or nothing: every table equals, row for row and column for column,
 *   either the database before (the base) or an uninterrupted reference run;
 *   the sweep runs in passes, each its own transaction (SPEC §6), so for it every
 *   row is the base's or the reference's, and the records' rows show whole passes;
 * - no orphans: each record whose status changed has its latest history row
 *   ending in that status, each Certification Expiring email has its record
 *   and date, change_log seq is 1..max without a gap;
 * - the operation run again, in a fresh process as after a restart, ends
 *   exactly where the reference run ended.
 * For the export: batches under their final name verify and hold 1..k once,
 * the checkpoint sits at the end of one of them, outbox rows are marked
 * exported exactly up to the checkpoint, and the rerun completes 1..max.
 *
 * Kill delays come from a seeded generator; CERTDESK_CRASH_SEED replays them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseFile, openDatabase, type Db } from '../../main/db/database';
import { bulkSetStatus } from '../../main/services/bulk';
import { SYSTEM, type ServiceContext } from '../../main/services/context';
import { runSweep } from '../../main/services/sweep';
import { exportChanges } from '../../main/sync/export';
import { parseBatchName } from '../../main/sync/format';
import { readCheckpoint } from '../../main/sync/state';
import { readBatch, verifyFolder } from '../../main/sync/verify';
import {
  BASE_NOW,
  buildBase,
  checkAfterRestart,
  checkpointAndClose,
  childCommand,
  compareWith,
  copyDataDir,
  diffFrom,
  doneResult,
  FigureBook,
  foreignKeyProblems,
  isEmpty,
  killDelays,
  maxSeq,
  pool,
  removeDir,
  rowsInNeither,
  runChild,
  tempDir,
  withDb,
  YEAR_LATER,
  type ChildCommand,
  type ChildRun,
  type Figures,
} from './support';

// Kills per operation: 8 in `npm test` (spread over the whole operation by killDelays);
// CERTDESK_CRASH_RUNS=50 for a longer hunt.
const RUNS = Number(process.env.CERTDESK_CRASH_RUNS ?? 8);
const PARALLEL = Number(process.env.CERTDESK_CRASH_PARALLEL ?? 3);
const EXTRA_CONTACTS = 2000;
const BULK_SIZE = 2000;
const EXPORT_BATCH = 2500;
const BULK_REASON = 'Programme withdrawn (crash test)';
const SEED = Number(process.env.CERTDESK_CRASH_SEED ?? Math.floor(Math.random() * 1e9));

const dirs: string[] = [];
let base: string;
let baseFile: string;
let targets: number[];
let idsFile: string;
let sweepRef: { file: string; changed: number; emails: number; ms: number };
let bulkRef: { file: string; ms: number };
let exportRef: { ms: number; max: number };
let child: ChildCommand;

const figures = new FigureBook();
const fig = (op: string): Figures => figures.of(op);

const at = (iso: string) => (): Date => new Date(iso);
const ctxAt = (db: Db, iso: string): ServiceContext => ({ db, clock: { now: at(iso) } });

/** Runs `op` on a copy of the base, uninterrupted, and keeps the result as a single file. */
async function reference<T>(op: (db: Db, dir: string) => Promise<T>): Promise<{ file: string; value: T; ms: number }> {
  const dir = copyDataDir(base, 'certdesk-rel-ref-');
  dirs.push(dir);
  const db = await openDatabase({ dataDir: dir });
  try {
    const t0 = performance.now();
    const value = await op(db, dir);
    return { file: databaseFile(dir), value, ms: performance.now() - t0 };
  } finally {
    await checkpointAndClose(db);
  }
}

beforeAll(async () => {
  console.log(`crash tests: seed ${SEED} (CERTDESK_CRASH_SEED=${SEED} replays the kill delays)`);
  base = tempDir('certdesk-rel-base-');
  dirs.push(base);
  const build = tempDir('certdesk-rel-child-');
  dirs.push(build);
  child = await childCommand('op-child.ts', build);
  await buildBase(base, EXTRA_CONTACTS);
  // Checks attach the base read-only from a copy of its own, so copies of `base` never pick up a reader's -wal / -shm.
  const attachable = copyDataDir(base, 'certdesk-rel-base-attach-');
  dirs.push(attachable);
  baseFile = databaseFile(attachable);
  targets = await withDb(base, async (db) =>
    ((await db('records').whereNotIn('status', ['Cancelled', 'Expired']).orderBy('id').limit(BULK_SIZE).select('id')) as Array<{ id: number }>).map(
      (r) => r.id,
    ),
  );
  expect(targets).toHaveLength(BULK_SIZE);
  const aside = tempDir('certdesk-rel-ids-');
  dirs.push(aside);
  idsFile = path.join(aside, 'ids.json');
  fs.writeFileSync(idsFile, JSON.stringify(targets));

  // Uninterrupted reference runs: the state every rerun must reach.
  const s = await reference((db) => runSweep(ctxAt(db, YEAR_LATER), SYSTEM));
  sweepRef = { file: s.file, changed: s.value.changed, emails: s.value.emailsQueued, ms: s.ms };
  const b = await reference((db) => bulkSetStatus(ctxAt(db, BASE_NOW), SYSTEM, { ids: targets, to: 'Cancelled', reason: BULK_REASON }));
  expect(b.value.changed).toBe(BULK_SIZE);
  bulkRef = { file: b.file, ms: b.ms };
  const out = tempDir('certdesk-rel-ref-out-');
  dirs.push(out);
  const e = await reference((db, dir) => exportChanges({ db, dataDir: dir, folder: out, maxChanges: EXPORT_BATCH, now: at(BASE_NOW) }));
  exportRef = { ms: e.ms, max: e.value.toSeq ?? 0 };

  // The same operations, uninterrupted, in child processes, PARALLEL copies of each at once as in the
  // tests: they must end exactly as the references (so "all there" can be judged row for row), and the
  // slowest one's time from "ready" to exit sets the range of the kill delays.
  const OPS = [
    ['sweep', YEAR_LATER, []],
    ['bulk', BASE_NOW, [idsFile]],
    ['export', BASE_NOW, ['OUT', String(EXPORT_BATCH)]],
  ] as const;
  const calibration = await pool(
    OPS.flatMap((op) => Array.from({ length: PARALLEL }, () => op)),
    PARALLEL,
    async ([op, now, args]) => {
      const dir = copyDataDir(base, 'certdesk-rel-calib-');
      const folder = tempDir('certdesk-rel-calib-out-');
      try {
        const run = await runChild(child, [op, dir, now, ...args.map((a) => (a === 'OUT' ? folder : a))], null);
        expect(run.finished, run.output).toBe(true);
        if (op !== 'export') {
          const diff = await withDb(dir, (db) => diffFrom(db, op === 'sweep' ? sweepRef.file : bulkRef.file));
          expect(diff.diff, `${op} in a child process ends as the reference`).toEqual({});
        }
        return { op, ms: run.afterReadyMs };
      } finally {
        removeDir(dir);
        removeDir(folder);
      }
    },
  );
  const slowest = (op: string): number => Math.max(...calibration.filter((c) => c.op === op).map((c) => c.ms));
  sweepRef.ms = slowest('sweep');
  bulkRef.ms = slowest('bulk');
  exportRef.ms = slowest('export');
  const records = await withDb(base, (db) => db('records').count({ n: '*' }).first<{ n: number }>());
  console.log(
    `base: ${records.n} records, change_log 1..${exportRef.max}; reference sweep: ${sweepRef.changed} status changes + ${sweepRef.emails} emails, ` +
      `bulk: ${BULK_SIZE} records, export: ${e.value.batches.length} batches; children take up to ${sweepRef.ms}, ${bulkRef.ms} and ${exportRef.ms} ms from ready to exit`,
  );
  expect(sweepRef.changed).toBeGreaterThan(1000);
}, 120_000);

afterAll(() => {
  for (const dir of dirs) removeDir(dir);
  console.log(`crash figures (seed ${SEED}, children ${child.how}):\n${figures.report()}`);
});

function delays(op: string, refMs: number): number[] {
  const plan = killDelays(SEED + op.length * 7919, refMs, RUNS);
  fig(op).delays = [5, plan.top];
  return plan.delays;
}

function tally(run: ChildRun, label: string, op: string): void {
  expect(run.killed || (run.code === 0 && run.finished), `${label}: ${run.output}`).toBe(true);
  fig(op).count(run);
}

const restartChecks = (db: Db, label: string): Promise<{ problems: string[]; rows: number }> => checkAfterRestart(db, baseFile, label);
const compare = (
  db: Db,
  refFile: string,
  skip: readonly string[] = [],
): Promise<{ toBase: Record<string, number>; toRef: Record<string, number>; rows: number }> => compareWith(db, baseFile, refFile, skip);

/**
 * One crash iteration: the child is killed `delay` ms after "ready"; `afterKill`
 * checks the reopened database and says whether the whole operation is there;
 * the operation then runs again in a fresh child (as after a restart) and
 * `afterRerun` checks its result and the database. Problems are counted and
 * must be none.
 */
async function iteration(
  op: string,
  label: string,
  dir: string,
  args: string[],
  delay: number,
  now: string,
  afterKill: (db: Db, run: ChildRun, problems: string[]) => Promise<boolean>,
  afterRerun: (db: Db, result: unknown, wasAll: boolean, problems: string[]) => Promise<void>,
): Promise<void> {
  const f = fig(op);
  const run = await runChild(child, [op, dir, now, ...args], delay);
  tally(run, label, op);
  const problems: string[] = [];
  const wasAll = await withDb(dir, (db) => afterKill(db, run, problems), at(now));
  if (wasAll) f.allThere++;
  const rerun = await runChild(child, [op, dir, now, ...args], null);
  const { result } = doneResult<{ result: unknown }>(rerun);
  await withDb(dir, (db) => afterRerun(db, result, wasAll, problems), at(now));
  if (problems.length > 0) f.failures++;
  expect(problems, label).toEqual([]);
}

describe('SIGKILL at random points, then restart', () => {
  it('the checks themselves catch a half-written change: a status without history, a change-log gap, an email without its record', async () => {
    const dir = copyDataDir(base, 'certdesk-rel-selfcheck-');
    try {
      await withDb(dir, async (db) => {
        const ids = ((await db('records').where('status', 'Active').orderBy('id').limit(10).select('id')) as Array<{ id: number }>).map((r) => r.id);
        await db('records').whereIn('id', ids).update({ status: 'Expired' });
        await db('change_log').where('seq', 5).del();
        await db.raw('PRAGMA foreign_keys = OFF');
        await db('outbox').insert({
          kind: 'certification-expiring',
          record_id: 999_999,
          expires_on: '2026-04-01',
          to_email: 'x@example.org',
          to_name: 'X',
          subject: 's',
          body: 'b',
          created_at: BASE_NOW,
        });
        await db.raw('PRAGMA foreign_keys = ON');
        const { problems } = await restartChecks(db, 'self-check');
        expect(problems.filter((p) => /without a history row/.test(p))).toHaveLength(10);
        expect(problems.some((p) => /change_log has .* missing 5/.test(p))).toBe(true);
        expect(problems.some((p) => /without its record/.test(p))).toBe(true);
        expect(await foreignKeyProblems(db)).not.toEqual([]);
        const after = await compare(db, sweepRef.file);
        expect(isEmpty(after.toBase) || isEmpty(after.toRef)).toBe(false);
      });
    } finally {
      removeDir(dir);
    }
  });

  it(`the time sweep a year later (${RUNS} kills): every change whole, and the rerun completes it`, async () => {
    const f = fig('sweep');
    // Records the killed sweep had already moved (whole passes), so the rerun owes the rest.
    const moved = new Map<string, number>();
    const recordsMoved = async (db: Db): Promise<number> => {
      await db.raw('ATTACH DATABASE ? AS b', [baseFile]);
      try {
        const [row] = (await db.raw('select count(*) as n from (select * from main.records except select * from b.records)')) as Array<{ n: number }>;
        return row?.n ?? 0;
      } finally {
        await db.raw('DETACH DATABASE b');
      }
    };
    await pool(delays('sweep', sweepRef.ms), PARALLEL, async (delay, i) => {
      const label = `sweep #${i + 1} (kill ${delay} ms after ready)`;
      const dir = copyDataDir(base, 'certdesk-rel-sweep-');
      try {
        await iteration(
          'sweep',
          label,
          dir,
          [],
          delay,
          YEAR_LATER,
          async (db, run, problems) => {
            const { problems: found, rows } = await restartChecks(db, label);
            problems.push(...found);
            const after = await compare(db, sweepRef.file);
            const none = isEmpty(after.toBase);
            const all = isEmpty(after.toRef);
            if (none) f.noneThere++;
            const neither = await rowsInNeither(db, baseFile, sweepRef.file);
            if (!isEmpty(neither)) problems.push(`${label}: rows that are neither before nor after the sweep: ${JSON.stringify(neither)}`);
            if (run.finished && !all) problems.push(`${label}: the child reported done but the sweep is not there`);
            moved.set(label, await recordsMoved(db));
            f.rowsChecked += rows + after.rows * 2;
            return all;
          },
          async (db, result, wasAll, problems) => {
            const changed = (result as { changed: number }).changed;
            const expected = wasAll ? 0 : sweepRef.changed - (moved.get(label) ?? 0);
            if (changed !== expected) problems.push(`${label}: the rerun changed ${changed} records, not the ${expected} the kill left`);
            const final = await diffFrom(db, sweepRef.file);
            if (!isEmpty(final.diff)) problems.push(`${label}: after the rerun, rows differ from an uninterrupted sweep: ${JSON.stringify(final.diff)}`);
            const again = await restartChecks(db, `${label}, after the rerun`);
            problems.push(...again.problems);
            f.rowsChecked += final.rows + again.rows;
          },
        );
      } finally {
        removeDir(dir);
      }
    });
    expect(f.runs).toBe(RUNS);
  }, 150_000);

  it(`a bulk status change of ${BULK_SIZE} records (${RUNS} kills): every targeted record changed or none`, async () => {
    const f = fig('bulk');
    const cancelledOf = async (db: Db): Promise<number> => {
      const [row] = (await db.raw("select count(*) as n from records where status = 'Cancelled' and id in (select value from json_each(?))", [
        JSON.stringify(targets),
      ])) as Array<{ n: number }>;
      return row?.n ?? -1;
    };
    await pool(delays('bulk', bulkRef.ms), PARALLEL, async (delay, i) => {
      const label = `bulk #${i + 1} (kill ${delay} ms after ready)`;
      const dir = copyDataDir(base, 'certdesk-rel-bulk-');
      try {
        await iteration(
          'bulk',
          label,
          dir,
          [idsFile],
          delay,
          BASE_NOW,
          async (db, run, problems) => {
            const { problems: found, rows } = await restartChecks(db, label);
            problems.push(...found);
            const cancelled = await cancelledOf(db);
            const after = await compare(db, bulkRef.file);
            const none = isEmpty(after.toBase);
            const all = isEmpty(after.toRef) && cancelled === BULK_SIZE;
            if (none) f.noneThere++;
            if (!none && !all)
              problems.push(
                `${label}: half a bulk change: ${cancelled} of ${BULK_SIZE} cancelled; rows differing from before ${JSON.stringify(after.toBase)}, from after ${JSON.stringify(after.toRef)}`,
              );
            if (run.finished && !all) problems.push(`${label}: the child reported done but the change is not there`);
            f.rowsChecked += rows + after.rows * 2 + BULK_SIZE;
            return all;
          },
          async (db, result, wasAll, problems) => {
            // After a committed change the rerun refuses every record (Cancelled → Cancelled is no move) and writes nothing.
            const r = result as { changed: number; refused: number };
            const expected = wasAll ? { changed: 0, refused: BULK_SIZE } : { changed: BULK_SIZE, refused: 0 };
            if (r.changed !== expected.changed || r.refused !== expected.refused)
              problems.push(`${label}: the rerun changed ${r.changed} and refused ${r.refused}`);
            if ((await cancelledOf(db)) !== BULK_SIZE) problems.push(`${label}: after the rerun not every targeted record is Cancelled`);
            const final = await diffFrom(db, bulkRef.file);
            if (!isEmpty(final.diff)) problems.push(`${label}: after the rerun, rows differ from an uninterrupted bulk change: ${JSON.stringify(final.diff)}`);
            const again = await restartChecks(db, `${label}, after the rerun`);
            problems.push(...again.problems);
            f.rowsChecked += final.rows + again.rows + BULK_SIZE;
          },
        );
      } finally {
        removeDir(dir);
      }
    });
    expect(f.runs).toBe(RUNS);
  }, 150_000);

  it(`a sync export without the crash hook (${RUNS} kills): the checkpoint only passes durable batches, the rerun completes it`, async () => {
    const f = fig('export');
    await pool(delays('export', exportRef.ms), PARALLEL, async (delay, i) => {
      const label = `export #${i + 1} (kill ${delay} ms after ready)`;
      const dir = copyDataDir(base, 'certdesk-rel-export-');
      const out = tempDir('certdesk-rel-export-out-');
      const max = exportRef.max;
      try {
        await iteration(
          'export',
          label,
          dir,
          [out, String(EXPORT_BATCH)],
          delay,
          BASE_NOW,
          async (db, run, problems) => {
            const { problems: found, rows } = await restartChecks(db, label);
            problems.push(...found);
            if ((await maxSeq(db)) !== max) problems.push(`${label}: change_log no longer ends at ${max}`);
            // The export writes only its checkpoint, device id and the outbox marks.
            const after = await compare(db, baseFile, ['settings', 'outbox']);
            if (!isEmpty(after.toBase)) problems.push(`${label}: the export changed data rows: ${JSON.stringify(after.toBase)}`);
            const folder = await folderState(out);
            problems.push(...folder.problems.map((p) => `${label}: ${p}`));
            const checkpoint = await readCheckpoint(db);
            if (checkpoint === 0) f.noneThere++;
            if (checkpoint !== 0 && !folder.boundaries.includes(checkpoint))
              problems.push(`${label}: checkpoint ${checkpoint} is not the end of a batch in the folder`);
            if (folder.seqs.length < checkpoint)
              problems.push(`${label}: checkpoint ${checkpoint} passed changes the folder does not hold (it holds ${folder.seqs.length})`);
            if (run.finished && checkpoint !== max) problems.push(`${label}: the child reported done at checkpoint ${checkpoint} of ${max}`);
            problems.push(...(await outboxProblems(db, checkpoint)).map((p) => `${label}: ${p}`));
            f.rowsChecked += rows + after.rows + folder.seqs.length;
            return checkpoint === max;
          },
          async (db, result, _wasAll, problems) => {
            const r = result as { toSeq: number | null };
            const end = await readCheckpoint(db);
            if (end !== max || (r.toSeq !== null && r.toSeq !== max)) problems.push(`${label}: the rerun ended at ${r.toSeq}, checkpoint ${end}, not ${max}`);
            const report = await verifyFolder(out);
            if (report.problems.length > 0) problems.push(`${label}: after the rerun: ${JSON.stringify(report.problems)}`);
            const complete = await folderState(out);
            if (complete.seqs.length !== max) problems.push(`${label}: after the rerun the folder holds ${complete.seqs.length} changes, not 1..${max}`);
            problems.push(...complete.problems.map((p) => `${label}, after the rerun: ${p}`));
            problems.push(...(await outboxProblems(db, max)).map((p) => `${label}, after the rerun: ${p}`));
            f.rowsChecked += complete.seqs.length;
          },
        );
      } finally {
        removeDir(dir);
        removeDir(out);
      }
    });
    expect(f.runs).toBe(RUNS);
  }, 150_000);
});

/** Final-named batches in the folder: each verifies, together they hold 1..k once; and where each ends. */
async function folderState(folder: string): Promise<{ seqs: number[]; boundaries: number[]; problems: string[] }> {
  const seqs: number[] = [];
  const boundaries: number[] = [];
  const problems: string[] = [];
  const names = fs
    .readdirSync(folder)
    .filter((n) => parseBatchName(n) !== null)
    .sort();
  for (const name of names) {
    const batch = await readBatch(path.join(folder, name));
    problems.push(...batch.problems.map((p) => `${name}: ${p}`));
    seqs.push(...batch.changes.map((c) => c.seq));
    boundaries.push(parseBatchName(name)?.toSeq ?? -1);
  }
  seqs.sort((a, b) => a - b);
  if (seqs.some((s, k) => s !== k + 1)) problems.push(`the batches in the folder do not hold 1..${seqs.length} exactly once`);
  return { seqs, boundaries, problems };
}

/** Outbox rows handed over by a batch the checkpoint passed are marked exported with their seq; the others are still queued. */
async function outboxProblems(db: Db, checkpoint: number): Promise<string[]> {
  const rows = (await db.raw(
    `select o.id, o.state, o.exported_seq,
       (select max(seq) from change_log c where c.entity = 'outbox' and c.entity_id = o.id) as last_seq
     from outbox o`,
  )) as Array<{ id: number; state: string; exported_seq: number | null; last_seq: number | null }>;
  const problems: string[] = [];
  for (const r of rows) {
    const handed = r.last_seq !== null && r.last_seq <= checkpoint;
    if (handed && (r.state !== 'exported' || r.exported_seq !== r.last_seq))
      problems.push(`outbox ${r.id} went out at seq ${r.last_seq} but is ${r.state}/${r.exported_seq}`);
    if (!handed && (r.state !== 'queued' || r.exported_seq !== null))
      problems.push(`outbox ${r.id} (seq ${r.last_seq}) is ${r.state}/${r.exported_seq} past checkpoint ${checkpoint}`);
  }
  return problems.slice(0, 10);
}
