/**
 * The benchmark: `npm run bench [-- --records N] [--out FILE] [--seed S] [--data DIR]`.
 *
 * Generates a deterministic database of N certification records (default
 * 1,000,000; see bench-generate.ts), starts the real backend on it with a fixed
 * clock, signs in an admin and times every operation through `backend.invoke`
 * (the handler table IPC calls), each many times after a warm-up, reporting the
 * median and p95. Every list query is also timed as the best hand-written SQL
 * for the same rows (checked to be the same rows), the baseline.
 *
 * --data DIR keeps the generated database in DIR and reuses it on the next run
 * (the operations that write leave it slightly changed; delete DIR for a fresh
 * one). Without it the database lives in a temporary folder removed at the end.
 */
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sqlite3 from 'sqlite3';
import { startBackend, type Backend } from '../main/backend';
import { takeBackup } from '../main/db/backup';
import { databaseFile, type Db } from '../main/db/database';
import { addDays, type CalendarDate } from '../main/rules/calendar';
import { STATUSES, type Status } from '../main/rules/statuses';
import type { Clock } from '../main/services/context';
import { runSweep } from '../main/services/sweep';
import { SORT_COLUMNS, type SortColumn, type TrackingCounts, type TrackingRow } from '../main/services/tracking';
import { authenticate, createUser, type User } from '../main/services/users';
import { exportChanges } from '../main/sync/export';
import { readCheckpoint, readSyncState, writeCheckpoint } from '../main/sync/state';
// Only the day and types: the generator (faker) and the browser part (playwright) are not loaded into the
// process whose memory is measured; the generator runs in a child, the browser part is imported when it runs.
import { BENCH_NOW, BENCH_TODAY } from './bench-clock';
import type { GenerateResult } from './bench-generate';
import { recordsCsv, recordsImportTargets } from './bench-records-import';
import { completionsCsv } from './bench-completions-import';
import { contactsCsv } from './bench-contacts-import';

// ---------------------------------------------------------------------------
// Options

interface Options {
  records: number;
  seed: number;
  out: string | null;
  data: string | null;
  /** Which parts to run (default all): lists, sorts, filters, jobs, browser. */
  sections: Set<string>;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { records: 1_000_000, seed: 20260615, out: null, data: null, sections: new Set(['lists', 'sorts', 'filters', 'jobs', 'browser']) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--records') options.records = Number(value().replace(/[_,]/g, ''));
    else if (arg === '--seed') options.seed = Number(value());
    else if (arg === '--out') options.out = path.resolve(value());
    else if (arg === '--data') options.data = path.resolve(value());
    else if (arg === '--only') options.sections = new Set(value().split(','));
    else if (arg === '--help' || arg === '-h') {
      console.log(
        'npm run bench [-- --records N] [--out FILE] [--seed S] [--data DIR] [--only lists,sorts,filters,jobs,browser; or single jobs: bulk,n,csv,checker,sweep,backup,export,import,records,completions]',
      );
      process.exit(0);
    } else throw new Error(`Unknown option ${arg} (try --help)`);
  }
  if (!Number.isInteger(options.records) || options.records < 1000) throw new Error('--records must be a whole number ≥ 1000');
  return options;
}

const log = (message: string): void => void process.stderr.write(`${message}\n`);

// ---------------------------------------------------------------------------
// Timing

interface Result {
  name: string;
  median_ms: number;
  p95_ms: number;
  baseline_ms: number | null;
  target_ms: number | null;
  runs: number;
  /** median / baseline for list queries. */
  ratio: number | null;
  ok: boolean | null;
  note?: string;
}

interface Timing {
  median: number;
  p95: number;
  runs: number;
}

const RUNS = 20;
/** Time spent on one operation's measured runs before it stops early (at least MIN_RUNS). */
const BUDGET_MS = 1500;
const MIN_RUNS = 3;

function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  const mid = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? (sorted[Math.floor(mid)] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
  return { median, p95: at(0.95), runs: sorted.length };
}

/**
 * Runs `fn` (given the run number) after `warmup` unmeasured runs, `runs` times
 * or, after `minRuns`, until the budget is spent.
 */
async function time(
  fn: (run: number) => Promise<unknown>,
  options: { runs?: number; warmup?: number; budgetMs?: number; minRuns?: number; before?: () => Promise<unknown> } = {},
): Promise<Timing> {
  const runs = options.runs ?? RUNS;
  const warmup = options.warmup ?? 2;
  const budget = options.budgetMs ?? BUDGET_MS;
  const minRuns = options.minRuns ?? MIN_RUNS;
  let run = 0;
  for (let i = 0; i < warmup; i++) {
    const t0 = performance.now();
    await fn(run++);
    // A slow operation needs no second warm-up.
    if (performance.now() - t0 > budget / 3) break;
  }
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < runs && (samples.length < minRuns || performance.now() - started < budget)) {
    await options.before?.();
    const t0 = performance.now();
    await fn(run++);
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

const results: Result[] = [];
const skipped: string[] = [];

function record(name: string, t: Timing, target: number | null, baseline: Timing | null = null, note?: string): void {
  const ratio = baseline ? t.median / baseline.median : null;
  let ok: boolean | null = target === null ? null : t.median <= target;
  if (ok !== null && ratio !== null) ok = ok && ratio <= 2;
  results.push({
    name,
    median_ms: round(t.median),
    p95_ms: round(t.p95),
    baseline_ms: baseline ? round(baseline.median) : null,
    target_ms: target,
    runs: t.runs,
    ratio: ratio === null ? null : round(ratio),
    ok,
    note,
  });
  const base = baseline ? ` (baseline ${fmt(baseline.median)}, ×${ratio?.toFixed(2)})` : '';
  log(`  ${name}: median ${fmt(t.median)} ms, p95 ${fmt(t.p95)} ms${base}${note ? ` — ${note}` : ''}`);
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

// ---------------------------------------------------------------------------
// Calls

async function call<T>(backend: Backend, name: string, input: unknown): Promise<T> {
  const envelope = await backend.invoke(name, input);
  if (!envelope.ok) throw new Error(`${name} failed: ${envelope.error.code} ${envelope.error.message}`);
  return envelope.value as T;
}

type Quick = { kind: 'all' } | { kind: 'status'; status: Status } | { kind: 'program'; programId: number };
type Sort = SortColumn;
type Direction = 'asc' | 'desc';

interface ListCase {
  name: string;
  quick: Quick;
  filter?: unknown;
  search?: string;
  sort: Sort;
  direction?: Direction;
  page: number;
  target: number;
  /** Fewer, shorter runs (the many column-sort rows). */
  quick_timing?: boolean;
  /** The hand-written SQL: the condition on `records` (no alias) with its bindings. */
  where: { sql: string; bindings: Array<string | number> } | null;
  /** The total can come from the counts table (quick filter only). */
  countable: boolean;
}

const PAGE_SIZE = 50;

interface Order {
  /** The page's ids, in order: SQL with `{where}` (the condition, AND-ed) and its bindings repeated per `{where}`. */
  ids: string;
  /** ORDER BY of the 50 joined rows (aliases r, c, p). */
  rows: string;
}

/** How each sortable column is written by hand: the key on `records` (or joined), and on the joined rows. */
const HAND_KEYS: Record<Sort, { key: string; row: string; nullable: boolean; join?: string; kept?: string }> = {
  contactName: { key: 'records.sort_name', row: 'r.sort_name', nullable: false },
  email: { key: 'c.email', row: 'c.email', nullable: false, join: 'JOIN contacts c ON c.id = records.contact_id', kept: 'email' },
  certification: { key: 'p.name', row: 'p.name', nullable: false, join: 'JOIN programs p ON p.id = records.program_id', kept: 'certification' },
  status: { key: 'records.status', row: 'r.status', nullable: false },
  progress: { key: 'records.required_done', row: 'r.required_done', nullable: false },
  appliedOn: { key: 'records.applied_on', row: 'r.applied_on', nullable: true },
  startedOn: { key: 'records.started_on', row: 'r.started_on', nullable: true },
  completedOn: { key: 'records.completed_on', row: 'r.completed_on', nullable: true },
  expiresOn: { key: 'records.expires_on', row: 'r.expires_on', nullable: true },
  updatedAt: { key: 'records.updated_at', row: 'r.updated_at', nullable: false },
  creditsNeeded: { key: 'records.credits_needed', row: 'r.credits_needed', nullable: true },
};

/**
 * The ways to write each sort by hand; the baseline is the fastest. Empty values
 * sort last in both directions, as in the app: ascending needs an `IS NULL`
 * term, descending has it by SQL's own rule (NULL is the smallest value). A
 * column that is never empty can be written with or without the term (which
 * index serves depends on it); a descending sort of an emptiable column can also
 * be the merge of its filled and its empty part (each an index walk); a column
 * of the contact or certification can be read from the kept sort keys.
 */
function ordersFor(sort: Sort, direction: Direction, keptTable: boolean, quickOnly: boolean): Order[] {
  const { key, row, nullable, join, kept } = HAND_KEYS[sort];
  const d = direction === 'desc' ? ' DESC' : '';
  const rows = nullable && !d ? `${row} IS NULL, ${row}, r.id` : `${row}${d}, r.id${d}`;
  const from = `FROM records ${join ?? ''} WHERE 1 {where}`;
  const plain = (order: string): Order => ({ ids: `SELECT records.id AS id ${from} ORDER BY ${order} LIMIT ? OFFSET ?`, rows });
  const orders: Order[] = [];
  if (nullable && !d) orders.push(plain(`${key} IS NULL, ${key}, records.id`));
  else {
    orders.push(plain(`${key}${d}, records.id${d}`));
    orders.push(plain(`${key} IS NULL${nullable ? '' : d}, ${key}${d}, records.id${d}`));
  }
  if (nullable && d) {
    orders.push({
      ids: `SELECT id FROM (SELECT records.id AS id, ${key} AS k FROM records WHERE (${key} IS NULL) = 0 {where}
        UNION ALL SELECT records.id AS id, ${key} AS k FROM records WHERE (${key} IS NULL) = 1 {where} ORDER BY k DESC, id DESC LIMIT ? OFFSET ?)`,
      rows,
    });
  }
  if (kept && keptTable && quickOnly) {
    orders.push({ ids: `SELECT record_id AS id FROM record_sort_keys WHERE 1 {where} ORDER BY ${kept}${d}, record_id${d} LIMIT ? OFFSET ?`, rows });
  }
  return orders;
}

/** The best hand-written SQL for a page and its total: an index walk for the page's ids, then the joins for 50 rows. */
async function handWritten(db: Db, c: ListCase, counts: boolean, order: Order): Promise<{ rows: Array<{ id: number }>; total: number }> {
  const where = c.where ? `WHERE ${c.where.sql}` : '';
  const bindings = c.where?.bindings ?? [];
  let total: number;
  if (counts && c.countable) {
    // The counts table of migration 003: one row per (certification, status).
    const [sql, args] =
      c.quick.kind === 'status'
        ? ['SELECT sum(n) AS n FROM record_counts WHERE status = ?', [c.quick.status]]
        : c.quick.kind === 'program'
          ? ['SELECT sum(n) AS n FROM record_counts WHERE program_id = ?', [c.quick.programId]]
          : ['SELECT sum(n) AS n FROM record_counts', []];
    const row = (await db.raw(sql, args)) as Array<{ n: number }>;
    total = Number(row[0]?.n ?? 0);
  } else {
    const row = (await db.raw(`SELECT count(*) AS n FROM records ${where}`, bindings)) as Array<{ n: number }>;
    total = Number(row[0]?.n ?? 0);
  }
  const parts = order.ids.split('{where}');
  const ids = parts.join(c.where ? `AND (${c.where.sql})` : '');
  const idBindings = parts.slice(1).flatMap(() => bindings);
  const rows = (await db.raw(
    `SELECT r.id, r.contact_id AS contactId, c.first_name || ' ' || c.last_name AS contactName, c.email, r.program_id AS programId,
       p.name AS certification, r.status, r.required_done AS requiredDone, r.required_total AS requiredTotal, r.applied_on AS appliedOn,
       r.started_on AS startedOn, r.completed_on AS completedOn, r.expires_on AS expiresOn, r.updated_at AS updatedAt
     FROM (${ids}) AS page
     JOIN records r ON r.id = page.id
     JOIN contacts c ON c.id = r.contact_id
     JOIN programs p ON p.id = r.program_id
     ORDER BY ${order.rows}`,
    [...idBindings, PAGE_SIZE, (c.page - 1) * PAGE_SIZE],
  )) as Array<{ id: number }>;
  return { rows, total };
}

async function benchList(backend: Backend, db: Db, c: ListCase, counts: boolean, keptTable: boolean): Promise<void> {
  const direction = c.direction ?? 'asc';
  const input = {
    quick: c.quick,
    filter: c.filter ?? null,
    search: c.search ?? '',
    sort: { column: c.sort, direction },
    page: c.page,
    pageSize: PAGE_SIZE,
  };
  const app = await call<{ rows: TrackingRow[]; total: number }>(backend, 'tracking.list', input);
  let best: Timing | null = null;
  let bestOrder: Order | null = null;
  const timing = c.quick_timing ? { runs: 7, budgetMs: 400, warmup: 1 } : {};
  for (const order of ordersFor(c.sort, direction, keptTable, c.countable)) {
    const hand = await handWritten(db, c, counts, order);
    const same = app.total === hand.total && app.rows.length === hand.rows.length && app.rows.every((r, i) => r.id === hand.rows[i]?.id);
    if (!same) {
      throw new Error(
        `${c.name}: the hand-written SQL does not give the app's rows (total ${app.total} vs ${hand.total}; ` +
          `ids ${app.rows
            .slice(0, 3)
            .map((r) => r.id)
            .join(',')} vs ${hand.rows
            .slice(0, 3)
            .map((r) => r.id)
            .join(',')})`,
      );
    }
    const b = await time(() => handWritten(db, c, counts, order), timing);
    if (!best || b.median < best.median) {
      best = b;
      bestOrder = order;
    }
  }
  const rows = `${app.total.toLocaleString('en')} rows`;
  if (c.countable && bestOrder) {
    // The app and the best hand-written SQL in turns, so a busy machine slows both alike.
    const fastest = bestOrder;
    const appSamples: number[] = [];
    const handSamples: number[] = [];
    await time(
      async () => {
        const t0 = performance.now();
        await call(backend, 'tracking.list', input);
        const t1 = performance.now();
        await handWritten(db, c, counts, fastest);
        appSamples.push(t1 - t0);
        handSamples.push(performance.now() - t1);
      },
      c.quick_timing ? { runs: 9, budgetMs: 600, warmup: 1 } : {},
    );
    // The warm-up's samples are left out.
    const measured = (samples: number[]): Timing => summarize(samples.slice(samples.length - Math.max(1, samples.length - 1)));
    record(c.name, measured(appSamples), c.target, measured(handSamples), rows);
    return;
  }
  // What the Tracking page asks (useTrackingView): tracking.page for the rows, then, when they came
  // without it, tracking.total. A filtered list keeps its total until something is written: "first
  // view" is the rows after a write (a no-op write before each run), "total shown" the rows and then
  // the count, "next pages" paging on within the counted selection.
  const page = await call<{ rows: TrackingRow[]; total: number | null }>(backend, 'tracking.page', input);
  if (page.rows.length !== app.rows.length || page.rows.some((r, i) => r.id !== app.rows[i]?.id) || (page.total !== null && page.total !== app.total))
    throw new Error(`${c.name}: tracking.page does not give tracking.list's rows`);
  const selection = { quick: input.quick, filter: input.filter, search: input.search };
  const write = () => db.raw('UPDATE users SET username = username WHERE id = (SELECT min(id) FROM users)');
  const cold = await time(() => call(backend, 'tracking.page', input), { before: write });
  record(`${c.name}: first view`, cold, c.target, best, rows);
  const shown = await time(
    async () => {
      const first = await call<{ total: number | null }>(backend, 'tracking.page', input);
      if (first.total === null) await call(backend, 'tracking.total', selection);
    },
    { before: write },
  );
  record(`${c.name}: first view, total shown`, shown, null, null, `${rows}; the rows show first (first view)`);
  await call(backend, 'tracking.total', selection);
  const warm = await time((run) => call(backend, 'tracking.page', { ...input, page: 2 + (run % 5) }));
  record(`${c.name}: next pages`, warm, c.target, null, rows);
}

// ---------------------------------------------------------------------------
// Background work, as staff feel it

interface Load {
  /** Each list call's time from asking to its answer, in ms. */
  calls: number[];
  /** The event loop's longest delay while the job ran, in ms. */
  eventLoopMax: number;
  /** Process RSS right after the job, in MB. */
  rssMb: number;
  /** Of it, the JavaScript heap (used / reserved), in MB: the rest is native (SQLite's caches, buffers). */
  heapMb: { used: number; total: number };
  /** Process RSS 5 s after the job, nothing forced, in MB: what the app holds once it is idle again. */
  rssSettledMb: number;
  /** Process RSS once a full garbage collection has run after that (and V8 had 2 s to unmap), in MB. */
  rssAfterGcMb: number;
}

/**
 * Runs `job` while the Tracking list is paged on (page 1 to 100 by name, one
 * call after the other through `backend.invoke`, as the renderer does) and the
 * event loop's delay is sampled; answers the job's value and what the list saw.
 */
async function underLoad<T>(backend: Backend, job: () => Promise<T>): Promise<{ value: T; load: Load }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  const calls: number[] = [];
  let running = true;
  const browse = (async () => {
    for (let i = 0; running; i++) {
      const t0 = performance.now();
      await call(backend, 'tracking.list', {
        quick: { kind: 'all' },
        filter: null,
        search: '',
        sort: { column: 'contactName', direction: 'asc' },
        page: 1 + (i % 100),
        pageSize: PAGE_SIZE,
      });
      calls.push(performance.now() - t0);
    }
  })();
  histogram.enable();
  let measured: { value: T; load: Load };
  try {
    const value = await job();
    const memory = process.memoryUsage();
    measured = {
      value,
      load: {
        calls,
        eventLoopMax: histogram.max / 1e6,
        rssMb: mb(memory.rss),
        heapMb: { used: mb(memory.heapUsed), total: mb(memory.heapTotal) },
        rssSettledMb: 0,
        rssAfterGcMb: 0,
      },
    };
  } finally {
    running = false;
    histogram.disable();
    await browse;
  }
  // Outside the measured window: what the process holds once idle (V8 gives freed pages back a few seconds
  // after its collections), then once the job's garbage is collected (the app never forces a GC).
  await sleep(SETTLE_MS);
  measured.load.rssSettledMb = mb(process.memoryUsage().rss);
  collectGarbage();
  await sleep(2_000);
  measured.load.rssAfterGcMb = mb(process.memoryUsage().rss);
  return measured;
}

const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);
const SETTLE_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A full garbage collection, for reading memory without the last job's garbage (V8's gc(), exposed to the bench alone). */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const memoryAfter: Array<{ job: string; rss_mb: number; heap_used_mb: number; heap_total_mb: number; rss_settled_mb: number; rss_after_gc_mb: number }> = [];
/** How the bench measured what a row alone does not say (printed under the table and kept in the JSON). */
const notes: string[] = [];

function recordLoad(job: string, load: Load): void {
  const longest = load.calls.length ? Math.max(...load.calls) : NaN;
  const spread = summarize(load.calls);
  const note = `${load.calls.length} list calls`;
  record(`while ${job}: longest list call unanswered`, { median: longest, p95: longest, runs: load.calls.length }, 250, null, note);
  record(`while ${job}: list calls`, spread, null, null, `p95 target 100 ms; ${note}`);
  results[results.length - 1] = { ...(results[results.length - 1] as Result), target_ms: 100, ok: spread.p95 <= 100 };
  record(`while ${job}: event-loop delay, max`, { median: load.eventLoopMax, p95: load.eventLoopMax, runs: 1 }, 100);
  memoryAfter.push({
    job,
    rss_mb: load.rssMb,
    heap_used_mb: load.heapMb.used,
    heap_total_mb: load.heapMb.total,
    rss_settled_mb: load.rssSettledMb,
    rss_after_gc_mb: load.rssAfterGcMb,
  });
  log(
    `  process RSS after ${job}: ${load.rssMb} MB (JS heap ${load.heapMb.used} used of ${load.heapMb.total}); 5 s later: ${load.rssSettledMb} MB; after a full GC: ${load.rssAfterGcMb} MB`,
  );
}

// ---------------------------------------------------------------------------
// The run

function machine(sqlite: string) {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model ?? 'unknown',
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    sqlite,
    platform: `${os.platform()} ${os.release()}`,
    loadavg_start: os.loadavg().map((x) => round(x)),
  };
}

function sqliteVersion(): Promise<string> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(':memory:');
    db.get('SELECT sqlite_version() AS v', (err, row: { v: string } | undefined) => {
      db.close();
      if (err) reject(err);
      else resolve(row?.v ?? 'unknown');
    });
  });
}

const fixedClock = (at: Date): Clock => ({ now: () => at });

async function signIn(backend: Backend): Promise<User> {
  const ctx = backend.context.services;
  const credentials = { username: 'bench-admin', password: 'benchmark password 2026' };
  try {
    return await createUser(ctx, { ...credentials, displayName: 'Bench Admin', role: 'admin' });
  } catch {
    // A reused database already has the bench admin.
    return authenticate(ctx, credentials.username, credentials.password);
  }
}

async function tableExists(db: Db, name: string): Promise<boolean> {
  const rows = (await db.raw("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name])) as unknown[];
  return rows.length > 0;
}

function listCases(counts: TrackingCounts, topProgram: { id: number; name: string; count: number }): ListCase[] {
  const quicks: Array<{ label: string; quick: Quick; total: number; where: ListCase['where'] }> = [
    { label: 'All', quick: { kind: 'all' }, total: counts.all, where: null },
    ...STATUSES.map((status) => ({
      label: status,
      quick: { kind: 'status', status } as Quick,
      total: counts.byStatus[status],
      where: { sql: 'status = ?', bindings: [status] },
    })),
    {
      label: topProgram.name,
      quick: { kind: 'program', programId: topProgram.id },
      total: topProgram.count,
      where: { sql: 'program_id = ?', bindings: [topProgram.id] },
    },
  ];
  const cases: ListCase[] = [];
  for (const q of quicks) {
    const last = Math.max(1, Math.ceil(q.total / PAGE_SIZE));
    const deep = Math.min(2000, last);
    for (const sort of ['contactName', 'expiresOn'] as const) {
      for (const page of deep > 1 ? [1, deep] : [1]) {
        cases.push({
          name: `list ${q.label} by ${sort === 'contactName' ? 'name' : 'expiry'}, page ${page}${page === last && page > 1 ? ' (last)' : ''}`,
          quick: q.quick,
          sort,
          page,
          target: 30,
          where: q.where,
          countable: true,
        });
      }
    }
  }
  return cases;
}

const SORT_LABELS: Record<Sort, string> = {
  contactName: 'name',
  email: 'email',
  certification: 'certification',
  status: 'status',
  progress: 'progress',
  appliedOn: 'applied',
  startedOn: 'started',
  completedOn: 'completed',
  expiresOn: 'expiry',
  updatedAt: 'last change',
  creditsNeeded: 'credits needed',
};

/** Every sortable column, both directions, page 1 and page 100, under All, one status and a certification. */
function sortCases(topProgram: { id: number; name: string }): ListCase[] {
  const status: Status = 'Active';
  const quicks: Array<{ label: string; quick: Quick; where: ListCase['where'] }> = [
    { label: 'All', quick: { kind: 'all' }, where: null },
    { label: status, quick: { kind: 'status', status }, where: { sql: 'status = ?', bindings: [status] } },
    { label: topProgram.name, quick: { kind: 'program', programId: topProgram.id }, where: { sql: 'program_id = ?', bindings: [topProgram.id] } },
  ];
  const cases: ListCase[] = [];
  for (const sort of Object.keys(SORT_COLUMNS) as Sort[]) {
    for (const direction of ['asc', 'desc'] as const) {
      for (const q of quicks) {
        for (const page of [1, 100]) {
          cases.push({
            name: `sort ${q.label} by ${SORT_LABELS[sort]} ${direction}, page ${page}`,
            quick: q.quick,
            sort,
            direction,
            page,
            target: 30,
            where: q.where,
            countable: true,
            quick_timing: true,
          });
        }
      }
    }
  }
  return cases;
}

function filterCases(today: CalendarDate, topProgram: { id: number; name: string }): ListCase[] {
  const fragment = 'mar';
  const like = `%${fragment}%`;
  const next30 = addDays(today, 30);
  return [
    {
      name: `filter name contains "${fragment}", by name`,
      quick: { kind: 'all' },
      filter: { combinator: 'and', rules: [{ field: 'contactName', operator: 'contains', value: fragment }] },
      sort: 'contactName',
      page: 1,
      target: 60,
      where: { sql: "sort_name LIKE ? ESCAPE '\\'", bindings: [like] },
      countable: false,
    },
    {
      name: `search box "${fragment}", by name`,
      quick: { kind: 'all' },
      search: fragment,
      sort: 'contactName',
      page: 1,
      target: 60,
      where: { sql: "sort_name LIKE ? ESCAPE '\\'", bindings: [like] },
      countable: false,
    },
    ...(['expiresOn', 'contactName'] as const).map((sort): ListCase => ({
      name: `filter expires in next 30 days AND status in (Active, Expiring), by ${sort === 'expiresOn' ? 'expiry' : 'name'}`,
      quick: { kind: 'all' },
      filter: {
        combinator: 'and',
        rules: [
          { field: 'expiresOn', operator: 'inNextDays', value: 30 },
          { field: 'status', operator: 'in', value: ['Active', 'Expiring'] },
        ],
      },
      sort,
      page: 1,
      target: 30,
      where: { sql: 'status IN (?, ?) AND expires_on BETWEEN ? AND ?', bindings: ['Active', 'Expiring', today, next30] },
      countable: false,
    })),
    {
      name: 'filter Admin Review OR certification OR organization contains "health", by name',
      quick: { kind: 'all' },
      filter: {
        combinator: 'or',
        rules: [
          { field: 'status', operator: '=', value: 'Admin Review' },
          { field: 'certification', operator: '=', value: topProgram.id },
          { field: 'organization', operator: 'contains', value: 'health' },
        ],
      },
      sort: 'contactName',
      page: 1,
      target: 30,
      where: {
        sql: "status = ? OR program_id = ? OR contact_id IN (SELECT id FROM contacts WHERE organization LIKE ? ESCAPE '\\')",
        bindings: ['Admin Review', topProgram.id, '%health%'],
      },
      countable: false,
    },
  ];
}

/**
 * Generates in a child process (the same Node and loader), so the memory the
 * load uses is not counted as the memory of the process that then serves the page.
 */
function generateInChild(dataDir: string, options: Options): Promise<GenerateResult> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench-generate.ts');
  const child = spawn(process.execPath, [...process.execArgv, script, dataDir, String(options.records), String(options.seed)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as GenerateResult) : reject(new Error(`generating the database failed (exit ${code})`))));
  });
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const sqlite = await sqliteVersion();
  const info = machine(sqlite);
  log(
    `CertDesk bench: ${options.records.toLocaleString('en')} records, seed ${options.seed}; ${info.cpus} × ${info.model}, Node ${info.node}, SQLite ${sqlite}, load ${info.loadavg_start.join(' ')}`,
  );
  if (info.loadavg_start[0] !== undefined && info.loadavg_start[0] > info.cpus)
    log(`  note: the machine is busy (load ${info.loadavg_start[0]} on ${info.cpus} cores); timings will be high`);

  const temporary = options.data === null;
  const dataDir = options.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-bench-'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-bench-scratch-'));
  let generated: GenerateResult | null = null;
  let backend: Backend | null = null;
  try {
    if (fs.existsSync(databaseFile(dataDir))) {
      log(`reusing the database in ${dataDir}`);
    } else {
      generated = await generateInChild(dataDir, options);
      log(
        `generated ${generated.records.toLocaleString('en')} records, ${generated.history.toLocaleString('en')} history rows, ${generated.changeLog.toLocaleString('en')} change-log rows`,
      );
      record(`generate ${options.records.toLocaleString('en')}-record database`, { median: generated.ms, p95: generated.ms, runs: 1 }, 60_000);
    }

    // Start: open (integrity check, migrations) and the start-up sweep, as the app starts.
    const t0 = performance.now();
    backend = await startBackend({ dataDir, version: 'bench', clock: fixedClock(BENCH_NOW) });
    record('start backend (open, integrity check, start-up sweep)', { median: performance.now() - t0, p95: performance.now() - t0, runs: 1 }, null);
    const db = backend.context.services.db;
    backend.context.session.user = await signIn(backend);
    const counts = await call<TrackingCounts>(backend, 'tracking.counts', {});
    const top = [...counts.byProgram].sort((a, b) => b.count - a.count)[0];
    if (!top) throw new Error('no programs');
    const hasCounts = await tableExists(db, 'record_counts');
    const keptTable = await tableExists(db, 'record_sort_keys');

    const only = options.sections;
    if (only.has('lists')) {
      log('Tracking page: Quick Filters');
      for (const c of listCases(counts, top)) await benchList(backend, db, c, hasCounts, keptTable);
    }
    if (only.has('sorts')) {
      log('Tracking page: every column, both directions');
      for (const c of sortCases(top)) await benchList(backend, db, c, hasCounts, keptTable);
    }
    if (only.has('filters')) {
      log('Tracking page: Customize Filters');
      for (const c of filterCases(BENCH_TODAY, top)) await benchList(backend, db, c, hasCounts, keptTable);
    }

    log('Other operations');
    record('status counts (tracking.counts)', await time(() => call(backend as Backend, 'tracking.counts', {})), 10);
    record('renewals dashboard (dashboard.summary)', await time(() => call(backend as Backend, 'dashboard.summary', {})), 50);
    const total = counts.all;
    record(
      'open a record with history (records.get)',
      await time((run) => call(backend as Backend, 'records.get', { id: 1 + ((run * 104_729) % total) }), { runs: 30 }),
      10,
    );
    const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
    log(`  process RSS after browsing: ${rss} MB`);

    if (['jobs', ...JOB_PARTS].some((part) => only.has(part))) await benchJobs(backend, db, counts, options, dataDir, scratch);

    // The browser harness opens the same file in its own process: close ours first.
    await backend.close();
    backend = null;
    if (only.has('browser')) await benchFirstScreen(dataDir, scratch);

    const memory = { rss_mb_after_browsing: rss, after_jobs: memoryAfter, target_mb: 400 };
    const end = os.loadavg().map((x) => round(x));
    printTable(memory, end);
    if (options.out) {
      const report = {
        machine: { ...info, loadavg_end: end },
        records: options.records,
        seed: options.seed,
        generated,
        results,
        memory,
        skipped,
        notes,
      };
      fs.mkdirSync(path.dirname(options.out), { recursive: true });
      fs.writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
      log(`wrote ${options.out}`);
    }
  } finally {
    await backend?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
    if (temporary) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `--only` may name single jobs instead of all of them (`jobs`). */
const JOB_PARTS = ['bulk', 'n', 'csv', 'checker', 'sweep', 'backup', 'export', 'import', 'records', 'completions'] as const;

/** The background work staff start or the app runs, each timed and measured for what the list feels meanwhile. */
async function benchJobs(backend: Backend, db: Db, counts: TrackingCounts, options: Options, dataDir: string, scratch: string): Promise<void> {
  const part = (name: (typeof JOB_PARTS)[number]): boolean => options.sections.has('jobs') || options.sections.has(name);
  // Bulk: 1,000 In Progress records → Inactive per run, a fresh set each time.
  const candidates = (
    (await db.raw("SELECT id FROM records WHERE status = 'In Progress' ORDER BY (id * 2654435761) % 1000003 LIMIT ?", [9000])) as Array<{ id: number }>
  ).map((r) => r.id);
  const bulkRuns = Math.min(8, Math.floor(candidates.length / 1000) - 1);
  if (!part('bulk')) {
    // not asked for
  } else if (bulkRuns >= 1) {
    let refused = 0;
    const { value: bulk, load } = await underLoad(backend, () =>
      time(
        async (run) => {
          const ids = candidates.slice(run * 1000, (run + 1) * 1000);
          const result = await call<{ changed: number; refused: unknown[] }>(backend, 'records.bulkSetStatus', {
            selection: { kind: 'ids', ids },
            to: 'Inactive',
            reason: 'Benchmark: member on leave',
          });
          refused += result.refused.length;
        },
        { runs: bulkRuns, warmup: 1, budgetMs: 60_000, minRuns: 1 },
      ),
    );
    record('bulk status change of 1,000 records', bulk, 500, null, refused > 0 ? `${refused} refused` : undefined);
    recordLoad('bulk changes', load);
  } else skipped.push('bulk status change: fewer than 2,000 In Progress records');

  if (part('n')) {
    // Changing n re-derives statuses in the same transaction.
    let changedN = 0;
    const { value: setN, load: nLoad } = await underLoad(backend, () =>
      time(
        async (run) => {
          const result = await call<{ changed: number }>(backend, 'settings.setExpiringDays', { expiringDays: run % 2 === 0 ? 45 : 30 });
          changedN = Math.max(changedN, result.changed);
        },
        { runs: 6, warmup: 0, budgetMs: 60_000 },
      ),
    );
    record('change n (settings.setExpiringDays 30 ↔ 45)', setN, null, null, `up to ${changedN.toLocaleString('en')} records changed`);
    recordLoad('n changes', nLoad);
    await call(backend, 'settings.setExpiringDays', { expiringDays: 30 });
  }

  if (part('csv')) {
    // CSV export of one Quick Filter through the job.
    const csvStatus: Status = 'Expired';
    const csv = await time(
      async () => {
        const job = await call<{ id: string }>(backend, 'tracking.exportCsv', {
          quick: { kind: 'status', status: csvStatus },
          sort: { column: 'contactName', direction: 'asc' },
        });
        const result = (await waitForJob(backend, job.id)) as { file: string } | null;
        if (result) fs.rmSync(result.file, { force: true });
      },
      { runs: 2, warmup: 0, minRuns: 1, budgetMs: 10_000 },
    );
    record(`CSV export of ${csvStatus} (${counts.byStatus[csvStatus].toLocaleString('en')} rows, tracking.exportCsv + jobs.get)`, csv, null);
  }

  if (part('checker')) {
    // The record checker over every record, as Settings › Record checker runs it: a job the page follows.
    let contradictions = 0;
    const { value: checker, load: checkerLoad } = await underLoad(backend, () =>
      time(
        async () => {
          const job = await call<{ id: string }>(backend, 'checker.run', {});
          const result = (await waitForJob(backend, job.id)) as { rules: Array<{ count: number }> };
          contradictions = result.rules.reduce((n, r) => n + r.count, 0);
        },
        { runs: 3, warmup: 1, minRuns: 1, budgetMs: 60_000 },
      ),
    );
    record(
      `record checker over ${options.records.toLocaleString('en')} records (checker.run + jobs.get)`,
      checker,
      5000,
      null,
      `${contradictions.toLocaleString('en')} contradictions found`,
    );
    recordLoad('the record checker', checkerLoad);
  }

  if (part('backup')) {
    // The daily backup (VACUUM INTO a file beside the data, then checked), as the scheduler takes it, into the scratch folder.
    // Each backup is removed after the measurement: deleting a file of the database's size is the bench's own work.
    const taken: string[] = [];
    const { value: backup, load } = await underLoad(backend, () =>
      time(
        async (run) => {
          const file = await takeBackup(db, path.join(scratch, `backup-${run}`), 'bench', BENCH_NOW);
          taken.push(path.dirname(path.dirname(file)));
        },
        { runs: 1, warmup: 0, minRuns: 1, budgetMs: 10_000 },
      ),
    );
    for (const dir of taken) fs.rmSync(dir, { recursive: true, force: true });
    record('daily backup (takeBackup)', backup, null);
    recordLoad('the daily backup', load);
  }

  if (part('export')) await benchExport(backend, db, dataDir, scratch);
  if (part('import')) await benchImport(backend);
  if (part('records')) await benchRecordsImport(backend, db);
  if (part('completions')) await benchCompletionsImport(backend, db);
  if (part('sweep')) {
    // The sweep's own backend alone in the process: the memory measured after it is one app's, not two.
    await backend.close();
    notes.push(
      "the sweep a year later runs on a copy served by a backend of its own; the bench's backend is closed first, so the process RSS after the sweep is that one backend's",
    );
    await benchSweep(dataDir, scratch, options);
  }
}

/**
 * The time sweep a year later, on fresh copies of the database, each served by a backend of its own
 * (started on the benchmark's day, so its start-up sweep has nothing to do) whose list is paged meanwhile.
 * The bench's own backend is closed by then (its WAL checkpointed into the file the copies are taken of).
 */
async function benchSweep(dataDir: string, scratch: string, options: Options): Promise<void> {
  const sweepRuns = options.records <= 200_000 ? 3 : 2;
  const sweepSamples: number[] = [];
  const expiringRightSamples: number[] = [];
  let swept = 0;
  for (let i = 0; i < sweepRuns && (i === 0 || (sweepSamples[0] ?? 0) < 10_000); i++) {
    const dir = path.join(scratch, `sweep-${i}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(databaseFile(dataDir), databaseFile(dir));
    const later = fixedClock(new Date(BENCH_NOW.getTime() + 365 * 86_400_000));
    const copy = await startBackend({ dataDir: dir, version: 'bench', clock: fixedClock(BENCH_NOW) });
    try {
      copy.context.session.user = await signIn(copy);
      const expiring: Array<{ ms: number; count: number }> = [];
      const { value, load } = await underLoad(copy, async () => {
        const t = performance.now();
        const watching = watchExpiringCount(copy, t, expiring);
        const result = await runSweep({ db: copy.context.services.db, clock: later });
        const ms = performance.now() - t;
        await watching.stop();
        return { ms, changed: result.changed };
      });
      sweepSamples.push(value.ms);
      expiringRightSamples.push(whenSettled(expiring) ?? value.ms);
      swept = value.changed;
      if (i === 0) recordLoad('the sweep a year later', load);
    } finally {
      await copy.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  record('time sweep a year later (runSweep)', summarize(sweepSamples), 1500, null, `${swept.toLocaleString('en')} records changed`);
  record(
    'time sweep a year later: until the Expiring count is final (moves into and out of Expiring go first)',
    summarize(expiringRightSamples),
    6000,
    null,
    'tracking.counts polled from outside every 100 ms beside the list; the first poll from which Expiring holds its final count',
  );
}

/** Polls the Expiring count (as the Quick Filter shows it) while the sweep runs, into `samples`. */
function watchExpiringCount(backend: Backend, start: number, samples: Array<{ ms: number; count: number }>): { stop(): Promise<void> } {
  let running = true;
  const polling = (async () => {
    while (running) {
      const counts = await call<TrackingCounts>(backend, 'tracking.counts', {});
      samples.push({ ms: performance.now() - start, count: counts.byStatus.Expiring });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await polling;
      const counts = await call<TrackingCounts>(backend, 'tracking.counts', {});
      samples.push({ ms: performance.now() - start, count: counts.byStatus.Expiring });
    },
  };
}

/** The time of the first sample from which the count stayed at its final value, or null without samples. */
function whenSettled(samples: ReadonlyArray<{ ms: number; count: number }>): number | null {
  const final = samples.at(-1)?.count;
  let from: number | null = null;
  for (const s of samples) {
    if (s.count !== final) from = null;
    else from ??= s.ms;
  }
  return from;
}

/** The first Tracking screen in Chromium through `npm run web`, or why it was skipped. */
async function benchFirstScreen(dataDir: string, scratch: string): Promise<void> {
  const { browserUnavailable, measureFirstScreen, measureLaunches } = await import('./bench-browser');
  const unavailable = browserUnavailable();
  if (unavailable) {
    skipped.push(`first Tracking screen in Chromium: ${unavailable}`);
    return;
  }
  log('Chromium');
  const { samples, harnessStartMs } = await measureFirstScreen(dataDir, BENCH_NOW);
  record('start the web harness (npm run web: open, checks, start-up sweep)', { median: harnessStartMs, p95: harnessStartMs, runs: 1 }, null);
  record('first Tracking screen in Chromium, navigation to rows visible', summarize(samples), 1500);
  // Launch to first rows (issue 17): starting the process until rows show, on a copy; the background work goes on after.
  const day = 86_400_000;
  const launches = await measureLaunches(dataDir, scratch, [
    { name: 'launch to first rows, same day, warm cache', now: BENCH_NOW, cold: false, runs: 3, target: 1500 },
    { name: 'launch to first rows, same day, cold cache (database file dropped from the page cache)', now: BENCH_NOW, cold: true, runs: 2, target: 5000 },
    { name: 'launch to first rows, first start of a day (daily backup due)', now: new Date(BENCH_NOW.getTime() + day), cold: false, runs: 2, target: 2000 },
    {
      name: 'launch to first rows, after a year away (a year of sweep due)',
      now: new Date(BENCH_NOW.getTime() + 365 * day),
      cold: false,
      runs: 2,
      target: 2000,
    },
  ]);
  for (const l of launches) record(l.case.name, summarize(l.samples), l.case.target, null, 'harness process start to first row visible in Chromium');
}

/** The sync export of 100,000 changes (main/sync/export.ts), from a checkpoint set that far back each run. */
async function benchExport(backend: Backend, db: Db, dataDir: string, scratch: string): Promise<void> {
  const lastSeq = (await readSyncState(db)).lastSeq;
  const n = Math.min(100_000, lastSeq);
  const folder = path.join(scratch, 'sync');
  const before = await readCheckpoint(db);
  let exported = 0;
  const { value: t, load } = await underLoad(backend, () =>
    time(
      async () => {
        fs.rmSync(folder, { recursive: true, force: true });
        fs.mkdirSync(folder, { recursive: true });
        await writeCheckpoint(db, lastSeq - n);
        const result = await exportChanges({ db, dataDir, folder, maxChanges: 100_000, trigger: 'bench', now: () => BENCH_NOW });
        exported = result.changes;
      },
      { runs: 3, warmup: 0, minRuns: 1, budgetMs: 10_000 },
    ),
  );
  await writeCheckpoint(db, Math.max(before, lastSeq));
  fs.rmSync(folder, { recursive: true, force: true });
  record(`sync export of ${exported.toLocaleString('en')} changes (exportChanges)`, t, 2000);
  recordLoad('sync exports', load);
}

async function waitForJob(backend: Backend, id: string): Promise<unknown> {
  for (;;) {
    const status = await call<{ state: string; message: string; result: unknown }>(backend, 'jobs.get', { id });
    if (status.state === 'failed') throw new Error(`job failed: ${status.message}`);
    if (status.state === 'done') return status.result;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Import of 100,000 new contacts from CSV through the Import dialog's calls: preview, then apply (a job). */
async function benchImport(backend: Backend): Promise<void> {
  const n = 100_000;
  const previews: number[] = [];
  let refused = 0;
  // The files are made before the measured window: building them is the bench's work, not the app's.
  // The file travels as base64, as the Import dialog sends it.
  const files = [0, 1].map((run) => Buffer.from(contactsCsv(n, run), 'utf8').toString('base64'));
  const { value: t, load } = await underLoad(backend, () =>
    time(
      async (run) => {
        const data = files[run] ?? '';
        const p0 = performance.now();
        const preview = await call<{ sha256: string; fileError: unknown; rejected: unknown[] }>(backend, 'imports.preview', { kind: 'contacts', data });
        previews.push(performance.now() - p0);
        if (preview.fileError) throw new Error(`import preview refused the file: ${JSON.stringify(preview.fileError)}`);
        refused = Math.max(refused, preview.rejected.length);
        const job = await call<{ id: string }>(backend, 'imports.apply', { kind: 'contacts', data, expectSha256: preview.sha256 });
        await waitForJob(backend, job.id);
      },
      { runs: 2, warmup: 0, minRuns: 1, budgetMs: 10_000 },
    ),
  );
  const imported = `${(n - refused).toLocaleString('en')} imported${refused ? `, ${refused.toLocaleString('en')} refused` : ''}`;
  record(`import of ${n.toLocaleString('en')} contacts from CSV: preview`, summarize(previews), null, null, imported);
  record(`import of ${n.toLocaleString('en')} contacts from CSV: preview + apply (imports.preview, imports.apply)`, t, 5000, null, imported);
  recordLoad('contact imports', load);
}

/** Import of 100,000 certification records from a previous system (the contacts imported above), preview then apply; one certification per run. */
async function benchRecordsImport(backend: Backend, db: Db): Promise<void> {
  const n = 100_000;
  const members = Array.from({ length: n }, (_, i) => `IMP0-${String(i).padStart(6, '0')}`);
  const targets = await recordsImportTargets(db);
  const previews: number[] = [];
  let note = '';
  const files = targets.slice(0, 2).map((target) => Buffer.from(recordsCsv(members, target.code, target.component, BENCH_TODAY), 'utf8').toString('base64'));
  const { value: t, load } = await underLoad(backend, () =>
    time(
      async (run) => {
        const data = files[run];
        if (!data) throw new Error('no certification left to import records into');
        const p0 = performance.now();
        const preview = await call<{ sha256: string; fileError: unknown; rows: { new: number; rejected: number } }>(backend, 'imports.preview', {
          kind: 'records',
          data,
        });
        previews.push(performance.now() - p0);
        if (preview.fileError) throw new Error(`records preview refused the file: ${JSON.stringify(preview.fileError)}`);
        note = `${preview.rows.new.toLocaleString('en')} imported${preview.rows.rejected ? `, ${preview.rows.rejected.toLocaleString('en')} refused` : ''}`;
        const job = await call<{ id: string }>(backend, 'imports.apply', { kind: 'records', data, expectSha256: preview.sha256 });
        await waitForJob(backend, job.id);
      },
      { runs: Math.min(2, targets.length), warmup: 0, minRuns: 1, budgetMs: 10_000 },
    ),
  );
  record(`import ${n.toLocaleString('en')} certification records: preview`, summarize(previews), null, null, note);
  record(`import ${n.toLocaleString('en')} certification records: preview + apply (imports.preview, imports.apply)`, t, 10_000, null, note);
  recordLoad('records imports', load);
}

/** Import of 100,000 component completions (records being worked on, required components not yet done): preview then apply, once. */
async function benchCompletionsImport(backend: Backend, db: Db): Promise<void> {
  const n = 100_000;
  const previews: number[] = [];
  let note = '';
  const file = await completionsCsv(db, n, BENCH_TODAY);
  const data = Buffer.from(file.text, 'utf8').toString('base64');
  const { value: t, load } = await underLoad(backend, () =>
    time(
      async () => {
        const p0 = performance.now();
        const preview = await call<{ sha256: string; fileError: unknown; rows: { new: number; rejected: number } }>(backend, 'imports.preview', {
          kind: 'completions',
          data,
        });
        previews.push(performance.now() - p0);
        if (preview.fileError) throw new Error(`completions preview refused the file: ${JSON.stringify(preview.fileError)}`);
        note = `${preview.rows.new.toLocaleString('en')} imported of ${file.rows.toLocaleString('en')}${preview.rows.rejected ? `, ${preview.rows.rejected.toLocaleString('en')} refused` : ''}`;
        const job = await call<{ id: string }>(backend, 'imports.apply', { kind: 'completions', data, expectSha256: preview.sha256 });
        await waitForJob(backend, job.id);
      },
      { runs: 1, warmup: 0, minRuns: 1, budgetMs: 10_000 },
    ),
  );
  record(`import ${n.toLocaleString('en')} completions: preview`, summarize(previews), null, null, note);
  record(`import ${n.toLocaleString('en')} completions: preview + apply (imports.preview, imports.apply)`, t, 10_000, null, note);
  recordLoad('completions imports', load);
}

function printTable(memory: { rss_mb_after_browsing: number; after_jobs: typeof memoryAfter; target_mb: number }, loadEnd: number[]): void {
  const header = ['operation', 'median ms', 'p95 ms', 'baseline ms', '×', 'target ms', 'ok?'];
  const rows = results.map((r) => [
    r.name + (r.note ? ` [${r.note}]` : ''),
    fmt(r.median_ms),
    fmt(r.p95_ms),
    r.baseline_ms === null ? '' : fmt(r.baseline_ms),
    r.ratio === null ? '' : r.ratio.toFixed(2),
    r.target_ms === null ? '' : String(r.target_ms),
    r.ok === null ? '' : r.ok ? 'ok' : 'SLOW',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log('');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log('');
  console.log(`main process RSS after browsing: ${memory.rss_mb_after_browsing} MB (target ≤ ${memory.target_mb} MB)`);
  for (const m of memory.after_jobs)
    console.log(
      `main process RSS after ${m.job}: ${m.rss_mb} MB (JS heap ${m.heap_used_mb} used of ${m.heap_total_mb} MB); 5 s later: ${m.rss_settled_mb} MB; after a full GC: ${m.rss_after_gc_mb} MB`,
    );
  const slow = results.filter((r) => r.ok === false).length;
  console.log(
    `${results.filter((r) => r.ok === true).length} ok, ${slow} slow, ${results.filter((r) => r.ok === null).length} without a target; load average at the end ${loadEnd.join(' ')}`,
  );
  for (const s of skipped) console.log(`skipped: ${s}`);
  for (const n of notes) console.log(`note: ${n}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
