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
import { closeDatabase, databaseFile, openDatabase } from '../main/db/database';
import { applyCompletionsCsv, previewCompletionsCsv } from '../main/import/completions-csv';
import type { ServiceContext } from '../main/services/context';
import { SYSTEM } from '../main/services/context';
import { BENCH_NOW, BENCH_TODAY } from './bench-generate';
import { completionsCsv } from './bench-completions-import';
import { timeSql } from './support/profiling';

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

async function main(): Promise<void> {
  fs.copyFileSync(databaseFile(source as string), databaseFile(dir));
  const clock = { now: () => BENCH_NOW };
  const db = await openDatabase({ dataDir: dir, now: () => clock.now(), check: false });
  const sqlMs = timeSql(db, 150);
  const ctx: ServiceContext = { db, clock };
  const file = await completionsCsv(db, n, BENCH_TODAY);
  const input = { text: file.text, fileName: 'completions.csv' };
  const preview = await timed(`preview ${file.rows} rows`, () => previewCompletionsCsv(ctx, input));
  console.log(JSON.stringify(preview.rows), preview.rejected.slice(0, 2));
  sqlMs.clear();
  const applied = await timed(`apply   ${file.rows} rows`, () => applyCompletionsCsv(ctx, SYSTEM, { ...input, expectSha256: preview.sha256 }));
  console.log(JSON.stringify(applied.rows));
  for (const [k, v] of [...sqlMs].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) console.log(`${v.ms.toFixed(0)} ms\t${v.n}×\t${k}`);
  await closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
}
void main();
