/**
 * Measures the completions CSV import (issue #15) on a copy of a generated
 * benchmark database: preview ms, apply ms, RSS, the longest event-loop stall,
 * and with SQL_TIMES=1 the SQL statements that took the time.
 * Usage: npx tsx scripts/profile-completions.ts GENERATED_DIR [rows] [scratch dir]
 * (GENERATED_DIR from `npx tsx scripts/bench-generate.ts DIR 100000 20260615`; it is copied, never changed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { closeDatabase, databaseFile, openDatabase } from '../main/db/database';
import { releaseMemory } from '../main/db/release-memory';
import { applyCompletionsCsv, previewCompletionsCsv } from '../main/import/completions-csv';
import type { ServiceContext } from '../main/services/context';
import { SYSTEM } from '../main/services/context';
import { BENCH_NOW, BENCH_TODAY } from './bench-generate';
import { completionsCsv } from './bench-completions-import';
import { timeSql, type SqlTimes } from './support/profiling';

const source = process.argv[2];
if (!source) throw new Error('Usage: profile-completions.ts GENERATED_DIR [rows] [scratch]');
const n = Number(process.argv[3] ?? 100_000);
const dir = fs.mkdtempSync(path.join(process.argv[4] ?? os.tmpdir(), 'certdesk-prof-'));

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const start = performance.now();
  const cpu = process.cpuUsage();
  const v = await fn();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  h.disable();
  console.log(
    `${label}\t${ms.toFixed(0)} ms (cpu ${((used.user + used.system) / 1000).toFixed(0)} ms)\tmax loop delay ${(h.max / 1e6).toFixed(0)} ms\tRSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`,
  );
  return v;
}

/** With STALLS=FILE, the main thread's stalls over 50 ms (monotonic µs, as a --cpu-prof profile's timestamps) go to FILE, to find what blocked. */
function traceStalls(): () => void {
  if (!process.env.STALLS) return () => undefined;
  const stalls: Array<[number, number]> = [];
  let last = process.hrtime.bigint();
  const timer = setInterval(() => {
    const now = process.hrtime.bigint();
    if (now - last > 50_000_000n) stalls.push([Number(last / 1000n), Number(now / 1000n)]);
    last = now;
  }, 2);
  return () => {
    clearInterval(timer);
    fs.writeFileSync(process.env.STALLS as string, JSON.stringify(stalls));
  };
}

async function main(): Promise<void> {
  fs.copyFileSync(databaseFile(source as string), databaseFile(dir));
  const clock = { now: () => BENCH_NOW };
  const db = await openDatabase({ dataDir: dir, now: () => clock.now(), check: false });
  const sqlMs = timeSql(db, 150);
  const ctx: ServiceContext = { db, clock };
  const file = await completionsCsv(db, n, BENCH_TODAY);
  // As bytes, as the Import dialog and the bench send them (text input is checked for broken characters first).
  const input = { bytes: Buffer.from(file.text, 'utf8'), fileName: 'completions.csv' };
  await settled(db, 'before preview (the file made)');
  const stopStalls = traceStalls();
  const preview = await timed(`preview ${file.rows} rows`, () => previewCompletionsCsv(ctx, input));
  console.log(JSON.stringify(preview.rows), preview.rejected.slice(0, 2));
  await settled(db, 'after preview (the kept plan)');
  printSql(sqlMs);
  sqlMs.clear();
  const applied = await timed(`apply   ${file.rows} rows`, () => applyCompletionsCsv(ctx, SYSTEM, { ...input, expectSha256: preview.sha256 }));
  stopStalls();
  console.log(JSON.stringify(applied.rows));
  await settled(db, 'after apply');
  printSql(sqlMs);
  await closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
}
/** Memory as the app has it after a job: SQLite's caches released (release-memory.ts), and with --expose-gc the heap that is still held. */
async function settled(db: Knex, label: string): Promise<void> {
  await releaseMemory(db);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const m = process.memoryUsage();
  console.log(
    `${label}: RSS ${(m.rss / 1048576).toFixed(0)} MB, heap used ${(m.heapUsed / 1048576).toFixed(0)} of ${(m.heapTotal / 1048576).toFixed(0)} MB, external ${(m.external / 1048576).toFixed(0)} MB${gc ? ' (after a full GC)' : ''}`,
  );
}

function printSql(sqlMs: SqlTimes): void {
  for (const [k, v] of [...sqlMs].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) console.log(`${v.ms.toFixed(0)} ms\t${v.n}×\t${k}`);
}

void main();
