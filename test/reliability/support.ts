/**
 * Shared helpers for the reliability tests: a base database built once through
 * the real services, copies of it per iteration, child processes that print
 * "ready" before the work a test kills, and the checks every restart must pass.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeDatabase, DATABASE_FILE, databaseFile, openDatabase, type Db } from '../../main/db/database';
import { addDays, type CalendarDate } from '../../main/rules/calendar';
import { markAllComplete as planMarkAllComplete } from '../../main/rules/engine';
import { changesFor, logChanges } from '../../main/services/changelog';
import { nameKey } from '../../main/domain/contact';
import { SYSTEM, type Clock, type ServiceContext } from '../../main/services/context';
import { loadDemoData } from '../../main/services/demo';
import { createProgram } from '../../main/services/programs';
import { rulesOf } from '../../main/domain/program';
import { applyDecisions, insertHistory, type RecordChange, type WriteContext } from '../../main/services/record-writer';
import { stateOf } from '../../main/services/records';
import type { RecordRow } from '../../main/domain/rows';
import type { ContactRow, ProgramRow } from '../../main/domain/rows';
import { readSettings, writeSettings } from '../../main/services/settings';
import { runSweep } from '../../main/services/sweep';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const FIXTURES = path.join(import.meta.dirname, 'fixtures');
export const OFFICE_TZ = 'America/New_York';
/** "Today" of the base database: 2026-03-10 in New York. */
export const BASE_NOW = '2026-03-10T15:00:00Z';
/** One year later: the clock the sweep children run with. */
export const YEAR_LATER = '2027-03-10T15:00:00Z';

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), label));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export { sha256 } from '../support/files';

import { random } from '../support/random';

export { random };

class SettableClock implements Clock {
  private current: Date;
  constructor(iso: string) {
    this.current = new Date(iso);
  }
  now(): Date {
    return this.current;
  }
  setDay(day: CalendarDate): void {
    this.current = new Date(`${day}T15:00:00Z`);
  }
}

/** Folds the WAL into the main file and closes, so the file alone is the whole database. */
export async function checkpointAndClose(db: Db): Promise<void> {
  await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
  await closeDatabase(db);
}

/**
 * The base database: demo data (150 contacts, six programs, every status, all
 * through the real services) plus `extra` contacts enrolled in a yearly or an
 * 18-month program and completed on a day of the past year. The extras are
 * written in batches through the app's own write path (rows as enroll writes
 * them, the engine's "mark all complete" decision, the record writer with its
 * history, change log and outbox), then the real sweep settles them at today.
 * Moving the clock a year later expires or flags most of them.
 */
export async function buildBase(dataDir: string, extra: number): Promise<void> {
  const clock = new SettableClock(BASE_NOW);
  const db = await openDatabase({ dataDir, now: () => clock.now() });
  const today = '2026-03-10' as CalendarDate;
  try {
    await writeSettings(db, { timeZone: OFFICE_TZ, expiringDays: 30 });
    await loadDemoData({ db, clock }, SYSTEM, { contacts: 150, seed: 7 });
    const rnd = random(99);
    await db.transaction(async (trx) => {
      const ctx: ServiceContext = { db: trx, clock };
      clock.setDay(addDays(today, -400));
      const programs: ProgramRow[] = [];
      for (const [code, amount, unit] of [
        ['REL-Y', 1, 'years'],
        ['REL-18', 18, 'months'],
      ] as const) {
        programs.push(
          await createProgram(ctx, {
            code,
            name: `Reliability ${code}`,
            requireApproval: false,
            requireCompletionApproval: false,
            expiration: { kind: 'period', amount, unit },
            components: [],
          }),
        );
      }
      // Day → contacts started that day.
      const byDay = new Map<CalendarDate, number[]>();
      for (let i = 0; i < extra; i++) {
        const day = addDays(today, -Math.floor(rnd() * 360) - 2);
        byDay.set(day, [...(byDay.get(day) ?? []), i]);
      }
      for (const [day, members] of [...byDay].sort(([a], [b]) => (a < b ? -1 : 1))) {
        clock.setDay(day);
        const settings = await readSettings(trx);
        const w: WriteContext = { actor: SYSTEM, settings, today: day, at: clock.now().toISOString() };
        const contacts: ContactRow[] = [];
        for (let i = 0; i < members.length; i += 100) {
          const rows = members.slice(i, i + 100).map((n) => ({
            first_name: `Rel${n}`,
            last_name: `Member ${n}`,
            email: `rel${n}@example.org`,
            member_number: `R${String(500000 + n)}`,
            organization: '',
            phone: '',
            name_key: nameKey(`Rel${n}`, `Member ${n}`),
            created_at: w.at,
            updated_at: w.at,
          }));
          contacts.push(...((await trx('contacts').insert(rows).returning('*')) as ContactRow[]));
        }
        await logChanges(trx, changesFor('contact', 'insert', contacts), w.at);
        const enrolments = contacts.flatMap((c) => {
          const both = rnd() < 0.35;
          const first = programs[rnd() < 0.7 ? 0 : 1] as ProgramRow;
          return (both ? programs : [first]).map((p) => ({ contact: c, program: p }));
        });
        const records: RecordRow[] = [];
        for (let i = 0; i < enrolments.length; i += 100) {
          const rows = enrolments.slice(i, i + 100).map(({ contact, program }) => ({
            contact_id: contact.id,
            program_id: program.id,
            status: 'In Progress',
            sort_name: contact.name_key,
            cycle: 1,
            started_on: day,
            required_total: 0,
            required_done: 0,
            created_at: w.at,
            updated_at: w.at,
          }));
          records.push(...((await trx('records').insert(rows).returning('*')) as RecordRow[]));
        }
        await logChanges(trx, changesFor('record', 'insert', records), w.at);
        await insertHistory(
          trx,
          records.map((record) => ({
            record,
            from: null,
            to: 'In Progress' as const,
            kind: 'enrollment' as const,
            rule: 'Added to the certification by staff from the back office',
            detail: 'Enrolled',
          })),
          w,
        );
        const changes: RecordChange[] = [];
        for (const record of records) {
          if (rnd() >= 0.85) continue;
          const program = programs.find((p) => p.id === record.program_id) as ProgramRow;
          const plan = planMarkAllComplete(stateOf(record), rulesOf(program), settings, day);
          if ('allowed' in plan) throw new Error(plan.reason);
          changes.push({ record, decision: plan, kind: 'component', detail: 'All components marked complete', reason: 'Completed at the annual meeting' });
        }
        await applyDecisions(trx, changes, w);
      }
      clock.setDay(today);
      await runSweep(ctx);
    });
  } finally {
    clock.setDay(today);
    await checkpointAndClose(db);
  }
  for (const suffix of ['-wal', '-shm']) fs.rmSync(databaseFile(dataDir) + suffix, { force: true });
}

/** Copies the database file (and any -wal / -shm beside it) of `from` into a new data folder. */
export function copyDataDir(from: string, label: string): string {
  const dir = tempDir(label);
  for (const name of fs.readdirSync(from).filter((n) => n.startsWith(DATABASE_FILE))) {
    fs.copyFileSync(path.join(from, name), path.join(dir, name));
  }
  return dir;
}

// ---------------------------------------------------------------------------
// Child processes

export interface ChildRun {
  /** The child printed "done" (its operation committed and it closed the database) before the kill landed. */
  finished: boolean;
  /** SIGKILL reached the child (it may still have finished first). */
  killed: boolean;
  signal: NodeJS.Signals | null;
  code: number | null;
  /** ms from "ready" to the kill (or to the exit, if it exited first). */
  afterReadyMs: number;
  output: string;
}

/** How a fixture script is started: bundled plain JavaScript, or TypeScript through tsx. */
export interface ChildCommand {
  args: string[];
  how: 'bundled' | 'tsx';
}

/**
 * Bundles fixtures/<script> (our code inlined, node_modules packages left
 * external) into a temporary folder that sees the project's node_modules, so
 * each of the many child processes starts without compiling TypeScript (about
 * 0.45 s of CPU less each). Falls back to `node --import tsx` when esbuild is
 * not there or CERTDESK_CHILD_TSX=1.
 */
export async function childCommand(script: string, outDir: string): Promise<ChildCommand> {
  const source = path.join(FIXTURES, script);
  const tsx: ChildCommand = { args: ['--import', 'tsx', source], how: 'tsx' };
  if (process.env.CERTDESK_CHILD_TSX === '1') return tsx;
  try {
    const esbuild = await import('esbuild');
    const outfile = path.join(outDir, `${path.basename(script, '.ts')}.mjs`);
    if (!fs.existsSync(path.join(outDir, 'node_modules'))) fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
    await esbuild.build({
      entryPoints: [source],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile,
      logLevel: 'silent',
    });
    return { args: [outfile], how: 'bundled' };
  } catch {
    return tsx;
  }
}

/**
 * Starts the child (`node <command.args> ...args`); once it prints "ready",
 * waits `killAfterMs` (null: never) and SIGKILLs it.
 */
export function runChild(command: ChildCommand, args: readonly string[], killAfterMs: number | null, env: NodeJS.ProcessEnv = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv.CERTDESK_SYNC_CRASH_AT;
    const child = spawn(process.execPath, [...command.args, ...args], { cwd: ROOT, env: childEnv });
    let output = '';
    let readyAt: number | null = null;
    let killedAt: number | null = null;
    let timer: NodeJS.Timeout | null = null;
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      if (readyAt === null && /^ready$/m.test(output)) {
        readyAt = performance.now();
        if (killAfterMs !== null) {
          timer = setTimeout(() => {
            killedAt = performance.now();
            child.kill('SIGKILL');
          }, killAfterMs);
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      const end = killedAt ?? performance.now();
      resolve({
        finished: /^done\b/m.test(output),
        killed: signal === 'SIGKILL',
        signal,
        code,
        afterReadyMs: readyAt === null ? -1 : Math.round(end - readyAt),
        output,
      });
    });
  });
}

/** Runs `task` over `items` with at most `limit` at once, results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await task(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return results;
}

// ---------------------------------------------------------------------------
// Checks after a restart

export async function pragmaRows(db: Db, sql: string): Promise<Array<Record<string, unknown>>> {
  return (await db.raw(sql)) as Array<Record<string, unknown>>;
}

export async function integrityOk(db: Db): Promise<string> {
  const rows = await pragmaRows(db, 'PRAGMA main.integrity_check');
  return rows.map((r) => String(Object.values(r)[0])).join('; ');
}

export async function foreignKeyProblems(db: Db): Promise<Array<Record<string, unknown>>> {
  return pragmaRows(db, 'PRAGMA main.foreign_key_check');
}

export async function maxSeq(db: Db): Promise<number> {
  const row = (await db('change_log').max({ m: 'seq' }).first()) as { m: number | null } | undefined;
  return Number(row?.m ?? 0);
}

/**
 * The no-orphan checks, against the database `before` attached as `b`: every
 * record whose status differs from `b` has as its latest history row (newer
 * than `b`'s) one ending in its status; every Certification Expiring email
 * names a record that exists and an expiration date; the change log is 1..max;
 * and, where the schema has them, the per-status counters match the records.
 * Runs in SQLite, so many of them can run at once. Answers the problems found
 * (empty: all good) and how many rows were looked at.
 */
export async function orphanProblems(db: Db): Promise<{ problems: string[]; rowsChecked: number }> {
  const problems: string[] = [];
  const historyAfter = `(select coalesce(max(id), 0) from b.record_history)`;
  const unexplained = (await db.raw(
    `select r.id, r.status, o.status as was,
       (select h.to_status from main.record_history h where h.record_id = r.id and h.id > ${historyAfter} order by h.id desc limit 1) as latest
     from main.records r left join b.records o on o.id = r.id
     where o.id is null or r.status <> o.status`,
  )) as Array<{ id: number; status: string; was: string | null; latest: string | null }>;
  let changed = 0;
  for (const r of unexplained) {
    changed++;
    if (r.latest === null) problems.push(`record ${r.id} changed ${r.was ?? '(new)'} → ${r.status} without a history row`);
    else if (r.latest !== r.status) problems.push(`record ${r.id} is ${r.status} but its latest history row says ${r.latest}`);
  }
  const orphanMail = (await db.raw(
    `select o.id from main.outbox o left join main.records r on r.id = o.record_id
     where o.kind = 'certification-expiring' and (r.id is null or o.expires_on is null)`,
  )) as Array<{ id: number }>;
  for (const o of orphanMail) problems.push(`outbox ${o.id}: a Certification Expiring email without its record or date`);
  const [totals] = (await db.raw(
    `select (select count(*) from main.records) as records,
            (select count(*) from main.outbox where kind = 'certification-expiring') as emails,
            (select count(*) from main.change_log) as log_rows,
            (select coalesce(max(seq), 0) from main.change_log) as log_max,
            (select coalesce(min(seq), 1) from main.change_log) as log_min`,
  )) as Array<{ records: number; emails: number; log_rows: number; log_max: number; log_min: number }>;
  if (!totals) throw new Error('no totals');
  if (totals.log_rows !== totals.log_max || totals.log_min !== 1) {
    const gaps = (await db.raw(
      `select seq + 1 as missing from main.change_log c where seq < ? and not exists (select 1 from main.change_log d where d.seq = c.seq + 1) limit 20`,
      [totals.log_max],
    )) as Array<{ missing: number }>;
    problems.push(`change_log has ${totals.log_rows} rows for seq 1..${totals.log_max}; missing ${gaps.map((g) => g.missing).join(', ')}`);
  }
  // Where the schema keeps per-(certification, status) counters (migration 003), they match the records.
  const counters = (await db.raw("select 1 from main.sqlite_master where type = 'table' and name = 'record_counts'")) as unknown[];
  if (counters.length > 0) {
    const off = (await db.raw(
      `with actual as (select program_id, status, count(*) as n from main.records group by program_id, status)
       select a.program_id, a.status, a.n, c.n as kept from actual a left join main.record_counts c on c.program_id = a.program_id and c.status = a.status
        where c.n is null or c.n <> a.n
       union all
       select c.program_id, c.status, 0, c.n from main.record_counts c
        where c.n <> 0 and not exists (select 1 from actual a where a.program_id = c.program_id and a.status = c.status)
       limit 5`,
    )) as Array<{ program_id: number; status: string; n: number; kept: number | null }>;
    for (const o of off) problems.push(`record_counts says ${o.kept ?? 'nothing'} for program ${o.program_id} / ${o.status}, the records say ${o.n}`);
  }
  return { problems: problems.slice(0, 20), rowsChecked: totals.records + changed + totals.emails + totals.log_rows };
}

/** Attaches another database file as `alias` on the (single) connection. */
export async function attach(db: Db, file: string, alias: string): Promise<void> {
  await db.raw(`ATTACH DATABASE ? AS ${alias}`, [file]);
}

export async function detach(db: Db, alias: string): Promise<void> {
  await db.raw(`DETACH DATABASE ${alias}`);
}

/** The app's tables (not SQLite's or knex's own). */
export async function appTables(db: Db): Promise<string[]> {
  const rows = (await db.raw(
    "select name from main.sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'knex_%' order by name",
  )) as Array<{ name: string }>;
  return rows.map((r) => r.name);
}

/**
 * Rows that differ, column for column, between each table of the open database
 * and the same table of the database attached as `alias` (both directions
 * counted); only tables with differences are listed. Also answers how many
 * rows were compared.
 */
export async function tableDiff(db: Db, alias: string, skip: readonly string[] = []): Promise<{ diff: Record<string, number>; rows: number }> {
  const diff: Record<string, number> = {};
  let rows = 0;
  for (const table of await appTables(db)) {
    if (skip.includes(table)) continue;
    const [r] = (await db.raw(
      `select (select count(*) from (select * from main."${table}" except select * from ${alias}."${table}")) as extra,
              (select count(*) from (select * from ${alias}."${table}" except select * from main."${table}")) as missing,
              (select count(*) from main."${table}") as n`,
    )) as Array<{ extra: number; missing: number; n: number }>;
    if (!r) throw new Error(`no diff for ${table}`);
    rows += r.n;
    if (r.extra + r.missing > 0) diff[table] = r.extra + r.missing;
  }
  return { diff, rows };
}

/**
 * Rows of each table that are in neither the base nor the reference database: for work done in
 * passes (the sweep), every row after a kill must be one or the other, never a third thing.
 */
export async function rowsInNeither(db: Db, baseFile: string, refFile: string): Promise<Record<string, number>> {
  await attach(db, baseFile, 'b');
  await attach(db, refFile, 'r');
  try {
    const found: Record<string, number> = {};
    for (const table of await appTables(db)) {
      const [r] = (await db.raw(
        `select count(*) as n from (select * from main."${table}" except select * from b."${table}" except select * from r."${table}")`,
      )) as Array<{ n: number }>;
      if (r && r.n > 0) found[table] = r.n;
    }
    return found;
  } finally {
    await detach(db, 'b');
    await detach(db, 'r');
  }
}

/** Opens the data folder the way the app does and runs `fn`, closing afterwards. */
export async function withDb<T>(dataDir: string, fn: (db: Db) => Promise<T>, now?: () => Date): Promise<T> {
  const db = await openDatabase(now ? { dataDir, now } : { dataDir });
  try {
    return await fn(db);
  } finally {
    await closeDatabase(db);
  }
}

// ---------------------------------------------------------------------------
// The crash tests' shared checks and figures

/** integrity_check, foreign_key_check and the orphan checks (against `baseFile` attached as `b`). */
export async function checkAfterRestart(db: Db, baseFile: string, label: string): Promise<{ problems: string[]; rows: number }> {
  const problems: string[] = [];
  const integrity = await integrityOk(db);
  if (integrity !== 'ok') problems.push(`${label}: integrity_check: ${integrity}`);
  const fk = await foreignKeyProblems(db);
  if (fk.length > 0) problems.push(`${label}: foreign_key_check: ${JSON.stringify(fk.slice(0, 5))}`);
  await attach(db, baseFile, 'b');
  try {
    const orphans = await orphanProblems(db);
    problems.push(...orphans.problems.map((p) => `${label}: ${p}`));
    return { problems, rows: orphans.rowsChecked };
  } finally {
    await detach(db, 'b');
  }
}

/** Differences from the base and from the reference run, table by table (rows compared: those of the open database). */
export async function compareWith(
  db: Db,
  baseFile: string,
  refFile: string,
  skip: readonly string[] = [],
): Promise<{ toBase: Record<string, number>; toRef: Record<string, number>; rows: number }> {
  await attach(db, baseFile, 'b');
  await attach(db, refFile, 'r');
  try {
    const toBase = await tableDiff(db, 'b', skip);
    const toRef = await tableDiff(db, 'r', skip);
    return { toBase: toBase.diff, toRef: toRef.diff, rows: toBase.rows };
  } finally {
    await detach(db, 'b');
    await detach(db, 'r');
  }
}

/** Differences from one other database file, table by table. */
export async function diffFrom(db: Db, file: string, skip: readonly string[] = []): Promise<{ diff: Record<string, number>; rows: number }> {
  await attach(db, file, 'r');
  try {
    return await tableDiff(db, 'r', skip);
  } finally {
    await detach(db, 'r');
  }
}

export const isEmpty = (o: object): boolean => Object.keys(o).length === 0;

/**
 * Kill delays from 5 ms to `factor` times `refMs`, the time uninterrupted
 * children take from "ready" to exit when as many run at once as in the test:
 * most kills land inside the operation, some after its commit. Never a
 * narrower range than 5–400 ms.
 */
export function killDelays(seed: number, refMs: number, runs: number, factor = 1.2): { delays: number[]; top: number } {
  const rnd = random(seed);
  const top = Math.max(400, Math.ceil(refMs * factor));
  // Stratified: one random delay in each of `runs` equal parts of [5, top), so a few kills still cover
  // the operation from start to end (early, middle and late commits alike).
  const part = (top - 5) / runs;
  return { delays: Array.from({ length: runs }, (_, i) => 5 + Math.floor((i + rnd()) * part)), top };
}

export class Figures {
  runs = 0;
  killedMidway = 0;
  finishedFirst = 0;
  allThere = 0;
  noneThere = 0;
  failures = 0;
  rowsChecked = 0;
  delays: [number, number] = [0, 0];

  count(run: ChildRun): void {
    this.runs++;
    if (run.finished) this.finishedFirst++;
    else this.killedMidway++;
  }
}

export class FigureBook {
  private readonly book = new Map<string, Figures>();

  of(op: string): Figures {
    let f = this.book.get(op);
    if (!f) {
      f = new Figures();
      this.book.set(op, f);
    }
    return f;
  }

  report(): string {
    return [...this.book]
      .map(
        ([op, f]) =>
          `  ${op.padEnd(6)} runs ${f.runs}: killed mid-operation ${f.killedMidway}, finished before the kill ${f.finishedFirst}; ` +
          `after the kill: all there ${f.allThere}, none there ${f.noneThere}; failures ${f.failures}; rows checked ${f.rowsChecked}; kill delays ${f.delays[0]}–${f.delays[1]} ms`,
      )
      .join('\n');
  }
}

/** The JSON a child printed after "done". */
export function doneResult<T>(run: ChildRun): T {
  const line = /^done (.*)$/m.exec(run.output)?.[1];
  if (line === undefined) throw new Error(`the child did not finish: ${run.output}`);
  return JSON.parse(line) as T;
}
