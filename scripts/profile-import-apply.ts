/**
 * The apply side of the records and completions imports (issue #15), measured
 * alone: CPU and wall time of apply after a preview (the kept plan), RSS after,
 * and whether the kept counts and sort keys still match the records. No list is
 * browsed meanwhile, so the CPU time is the import's own.
 *
 * Usage: npx tsx scripts/profile-import-apply.ts records|completions|contacts BASE_DIR [ROWS] [SCRATCH_DIR]
 * BASE_DIR holds a migrated bench database whose contacts PRF-000000… exist
 * (scripts/profile-records-import.ts makes them); it is copied, never changed.
 * SQL_TIMES=1 also lists the statements that took the time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeDatabase, databaseFile, openDatabase } from '../main/db/database';
import { applyCompletionsCsv, previewCompletionsCsv } from '../main/import/completions-csv';
import { applyContactsCsv, previewContactsCsv } from '../main/import/contacts-csv';
import { applyRecordsCsv, previewRecordsCsv } from '../main/import/records-csv';
import { SYSTEM, type ServiceContext } from '../main/services/context';
import { BENCH_NOW, BENCH_TODAY } from './bench-generate';
import { completionsCsv } from './bench-completions-import';
import { contactsCsv } from './bench-contacts-import';
import { recordsCsv, recordsImportTargets } from './bench-records-import';
import { timeSql } from './support/profiling';

const [kind, base] = process.argv.slice(2);
if ((kind !== 'records' && kind !== 'completions' && kind !== 'contacts') || !base)
  throw new Error('Usage: profile-import-apply.ts records|completions|contacts BASE_DIR [ROWS] [SCRATCH_DIR]');
const rows = Number(process.argv[4] ?? 100_000);
const work = fs.mkdtempSync(path.join(process.argv[5] ?? os.tmpdir(), 'certdesk-apply-'));

async function timed<T>(label: string, n: number, fn: () => Promise<T>): Promise<T> {
  // CLOCK_MONOTONIC seconds, to cut a `perf record -k CLOCK_MONOTONIC` profile to one phase.
  const mono = () => (Number(process.hrtime.bigint()) / 1e9).toFixed(3);
  console.log(`${label} starts at ${mono()}`);
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const v = await fn();
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  console.log(`${label} ends at ${mono()}`);
  const cpuMs = (used.user + used.system) / 1000;
  console.log(
    `${label}\t${ms.toFixed(0)} ms wall, cpu ${cpuMs.toFixed(0)} ms (${((cpuMs * 1000) / Math.max(1, n)).toFixed(1)} µs per row); RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`,
  );
  return v;
}

async function main(): Promise<void> {
  fs.copyFileSync(databaseFile(path.resolve(base as string)), databaseFile(work));
  const clock = { now: () => BENCH_NOW };
  const db = await openDatabase({ dataDir: work, now: clock.now, check: false });
  const sqlMs = timeSql(db);
  // An experiment: another page cache for the writer (CACHE_MB=256).
  if (process.env.CACHE_MB) await db.raw(`PRAGMA cache_size = -${Number(process.env.CACHE_MB) * 1024}`);
  // Another experiment: PRAGMAS='temp_store = MEMORY;…' for the writer.
  for (const p of (process.env.PRAGMAS ?? '').split(';').filter((x) => x.trim() !== '')) await db.raw(`PRAGMA ${p}`);
  const ctx: ServiceContext = { db, clock };
  const existing = ((await db('records').count({ n: '*' })) as Array<{ n: number }>)[0]?.n ?? 0;
  let text: string;
  if (kind === 'records') {
    const [target] = await recordsImportTargets(db);
    if (!target) throw new Error('no certification');
    const members = Array.from({ length: rows }, (_, i) => `PRF-${String(i).padStart(6, '0')}`);
    text = recordsCsv(members, target.code, target.component, BENCH_TODAY);
  } else if (kind === 'contacts') {
    text = contactsCsv(rows, 0);
  } else {
    text = (await completionsCsv(db, rows, BENCH_TODAY)).text;
  }
  const input = { text, fileName: `${kind}.csv` };
  console.log(`${existing.toLocaleString('en')} records before; ${kind} import of ${rows.toLocaleString('en')} rows`);
  const preview = await timed<{ sha256: string; rows: { new: number } }>('preview', rows, () =>
    kind === 'records' ? previewRecordsCsv(ctx, input) : kind === 'contacts' ? previewContactsCsv(db, input) : previewCompletionsCsv(ctx, input),
  );
  console.log(`rows ${JSON.stringify(preview.rows)}`);
  sqlMs.clear();
  const apply = { ...input, expectSha256: preview.sha256 };
  await timed<unknown>('apply', preview.rows.new, () =>
    kind === 'records'
      ? applyRecordsCsv(ctx, SYSTEM, apply)
      : kind === 'contacts'
        ? applyContactsCsv(ctx, SYSTEM, apply)
        : applyCompletionsCsv(ctx, SYSTEM, apply),
  );
  if (global.gc) {
    global.gc();
    console.log(`RSS after gc ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB`);
    await db.raw('PRAGMA shrink_memory');
    console.log(`RSS after the writer's shrink_memory ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
  }
  for (const [k, v] of [...sqlMs].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
    console.log(`${v.ms.toFixed(0).padStart(7)} ms ${String(v.n).padStart(6)}× ${k}`);
  // The kept counts and sort keys must still be the records' own.
  const [counts] = (await db.raw(`SELECT
      (SELECT count(*) FROM (SELECT program_id, status, count(*) AS n FROM records GROUP BY 1, 2) r
        LEFT JOIN record_counts c USING (program_id, status) WHERE c.n IS NOT r.n) AS counts_off,
      (SELECT count(*) FROM records r LEFT JOIN record_sort_keys k ON k.record_id = r.id
        WHERE k.record_id IS NULL OR k.status IS NOT r.status OR k.program_id IS NOT r.program_id) AS keys_off`)) as Array<{
    counts_off: number;
    keys_off: number;
  }>;
  console.log(`check: record_counts rows off ${counts?.counts_off}, sort keys off ${counts?.keys_off}`);
  await closeDatabase(db);
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
