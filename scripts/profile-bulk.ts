/**
 * The bench's "bulk status change of 1,000 records" alone, on a copy of a bench database:
 * wall and CPU per run, and with SQL_TIMES=1 the time per statement kind.
 *
 * Usage: npx tsx scripts/profile-bulk.ts BASE_DIR [RUNS] [SCRATCH_DIR]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeDatabase, databaseFile, openDatabase } from '../main/db/database';
import { bulkSetStatus } from '../main/services/bulk';
import { SYSTEM, type ServiceContext } from '../main/services/context';
import { BENCH_NOW } from './bench-generate';
import { timeSql } from './support/profiling';

const [base] = process.argv.slice(2);
if (!base) throw new Error('Usage: profile-bulk.ts BASE_DIR [RUNS] [SCRATCH_DIR]');
const runs = Number(process.argv[3] ?? 5);
const work = fs.mkdtempSync(path.join(process.argv[4] ?? os.tmpdir(), 'certdesk-bulk-'));

async function main(): Promise<void> {
  fs.copyFileSync(databaseFile(path.resolve(base as string)), databaseFile(work));
  const clock = { now: () => BENCH_NOW };
  const db = await openDatabase({ dataDir: work, now: clock.now, check: false });
  const sqlMs = timeSql(db);
  // An experiment: PRAGMAS='temp_store = MEMORY;…' for the writer.
  for (const p of (process.env.PRAGMAS ?? '').split(';').filter((x) => x.trim() !== '')) await db.raw(`PRAGMA ${p}`);
  const ctx: ServiceContext = { db, clock };
  // The bench's choice: In Progress records spread over the table, a fresh thousand each run.
  const candidates = (
    (await db.raw("SELECT id FROM records WHERE status = 'In Progress' ORDER BY (id * 2654435761) % 1000003 LIMIT ?", [(runs + 1) * 1000])) as Array<{
      id: number;
    }>
  ).map((r) => r.id);
  for (let run = 0; run <= runs; run++) {
    sqlMs.clear();
    const ids = candidates.slice(run * 1000, (run + 1) * 1000);
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const result = await bulkSetStatus(ctx, SYSTEM, { ids, to: 'Inactive', reason: 'Benchmark: member on leave' });
    const ms = performance.now() - t0;
    const used = process.cpuUsage(cpu);
    console.log(
      `${run === 0 ? 'warm-up' : `run ${run}`}\t${ms.toFixed(0)} ms wall, cpu ${((used.user + used.system) / 1000).toFixed(0)} ms (sys ${(used.system / 1000).toFixed(0)}); changed ${result.changed}, refused ${result.refused.length}`,
    );
  }
  for (const [k, v] of [...sqlMs].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12))
    console.log(`${v.ms.toFixed(0).padStart(7)} ms ${String(v.n).padStart(6)}× ${k}`);
  await closeDatabase(db);
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
