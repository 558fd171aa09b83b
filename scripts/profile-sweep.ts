/**
 * The benchmark's "time sweep a year later" on a copy of a bench database, for
 * measuring the sweep alone (issue #17): wall and CPU time, per change, the
 * longest pass (one transaction), the event-loop delay and, with --load, the
 * longest Tracking list call answered beside it; with SQL_TIMES=1 the time per
 * statement kind.
 *
 * Usage: npx tsx scripts/profile-sweep.ts BASE_DIR [--load] [--keep] [--pass=N] [--cache=MB]
 * --cache: the writer's page cache (and SQLite's soft heap limit) for the sweep, to try bigger passes
 * (docs/sweep-index-upkeep.md).
 * BASE_DIR holds a database made by `tsx scripts/bench-generate.ts BASE_DIR N SEED`
 * (dated BENCH_TODAY). The first run migrates BASE_DIR itself (use a copy);
 * every run works on a fresh copy of it, so runs compare.
 */
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startBackend } from '../main/backend';
import { closeDatabase, databaseFile, openDatabase, SQLITE_MEMORY_LIMIT } from '../main/db/database';
import { releaseMemory } from '../main/db/release-memory';
import { StartupReporter } from '../main/startup';
import { runSweep } from '../main/services/sweep';
import { authenticate, createUser } from '../main/services/users';
import { BENCH_NOW } from './bench-generate';
import { browseList, timeSql } from './support/profiling';

const base = path.resolve(process.argv[2] ?? '');
const load = process.argv.includes('--load');
const keep = process.argv.includes('--keep');
const passArg = process.argv.find((a) => a.startsWith('--pass='));
const passSize = passArg ? Number(passArg.slice('--pass='.length)) : undefined;
const cacheArg = process.argv.find((a) => a.startsWith('--cache='));
const cacheMb = cacheArg ? Number(cacheArg.slice('--cache='.length)) : undefined;
const clock = { now: () => BENCH_NOW };
const later = { now: () => new Date(BENCH_NOW.getTime() + 365 * 86_400_000) };

async function main(): Promise<void> {
  // Migrate the base once, so each run times the sweep alone.
  const baseDb = await openDatabase({ dataDir: base, now: clock.now, check: false });
  await baseDb.raw('PRAGMA wal_checkpoint(TRUNCATE)');
  await closeDatabase(baseDb);
  const work = path.join(path.dirname(base), `sweep-run-${process.pid}`);
  fs.mkdirSync(work, { recursive: true });
  fs.copyFileSync(databaseFile(base), databaseFile(work));
  // A start-up reporter leaves the check, backup and start-up sweep undone (startupWork is never called).
  const backend = await startBackend({ dataDir: work, version: 'profile', clock, startup: new StartupReporter() });
  try {
    const db = backend.context.services.db;
    const sqlMs = timeSql(db);
    if (cacheMb) {
      await db.raw(`PRAGMA cache_size = ${-1024 * cacheMb}`);
      await db.raw(`PRAGMA soft_heap_limit = ${(cacheMb + 32) * 2 ** 20}`);
    }
    const credentials = { username: 'sweep-admin', password: 'profile password 2026' };
    const ctx = backend.context.services;
    backend.context.session.user = await createUser(ctx, { ...credentials, displayName: 'Sweep Admin', role: 'admin' }).catch(() =>
      authenticate(ctx, credentials.username, credentials.password),
    );
    const { calls, stop } = browseList(backend, load);
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const passes: number[] = [];
    let last = performance.now();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await runSweep(
      { db, clock: later },
      undefined,
      undefined,
      () => {
        const now = performance.now();
        passes.push(now - last);
        last = now;
      },
      passSize,
    );
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    histogram.disable();
    await stop();
    const cpuS = (cpu.user + cpu.system) / 1e6;
    const per = (ms: number) => (result.changed ? ((ms * 1000) / result.changed).toFixed(1) : '-');
    console.log(
      `changed ${result.changed.toLocaleString('en')} (${JSON.stringify(result.byTransition)}), emails ${result.emailsQueued}, reminders ${result.remindersQueued}`,
    );
    console.log(`wall ${(wall / 1000).toFixed(2)} s (${per(wall)} µs/change); main-process CPU ${cpuS.toFixed(2)} s (${per(cpuS * 1000)} µs/change)`);
    console.log(`passes ${passes.length}; longest ${Math.max(...passes).toFixed(0)} ms; event-loop delay max ${(histogram.max / 1e6).toFixed(0)} ms`);
    if (load && calls.length) console.log(`list calls ${calls.length}; longest ${Math.max(...calls).toFixed(0)} ms`);
    const rss = () => Math.round(process.memoryUsage().rss / 2 ** 20);
    const before = rss();
    if (cacheMb) {
      await db.raw('PRAGMA cache_size = -65536');
      await db.raw(`PRAGMA soft_heap_limit = ${SQLITE_MEMORY_LIMIT}`);
    }
    await releaseMemory(db, backend.context.reader);
    console.log(`RSS ${before} MB; after the job's memory is given back ${rss()} MB`);
    if (process.env.SQL_TIMES) {
      for (const [sql, e] of [...sqlMs].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
        console.log(`${e.ms.toFixed(0).padStart(7)} ms ${String(e.n).padStart(5)}× ${sql}`);
    }
  } finally {
    await backend.close();
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
