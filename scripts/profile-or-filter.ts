/**
 * The Customize Filter "Admin Review OR certification OR organization contains 'health'" by name and the
 * renewals dashboard, old code (a checkout given as --old DIR) and this tree's, back to back in one process on
 * one read connection, by CPU time (process.cpuUsage) as well as wall time: the machine is shared.
 *   npx tsx scripts/profile-or-filter.ts --data DIR --old /tmp/or-before [--runs 7]
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openReader } from '../main/db/reader';
import * as now from '../main/services/tracking';
import * as nowDashboard from '../main/services/dashboard';
import type { FilterTree } from '../main/filters/fields';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const dataDir = arg('data') ?? '';
const oldDir = arg('old') ?? '';
const runs = Number(arg('runs') ?? 7);

type Tracking = typeof now;
const old = (await import(pathToFileURL(path.join(oldDir, 'main/services/tracking.ts')).href)) as Tracking;
const oldDashboard = (await import(pathToFileURL(path.join(oldDir, 'main/services/dashboard.ts')).href)) as typeof nowDashboard;
const db = openReader(dataDir);
const [top] = (await db('record_counts').select('program_id').sum({ n: 'n' }).groupBy('program_id').orderBy('n', 'desc').limit(1)) as Array<{
  program_id: number;
}>;
const filter: FilterTree = {
  combinator: 'or',
  rules: [
    { field: 'status', operator: '=', value: 'Admin Review' },
    { field: 'certification', operator: '=', value: Number(top?.program_id) },
    { field: 'organization', operator: 'contains', value: 'health' },
  ],
};
let day = 0;
/** A selection never counted before (the kept totals are keyed by the office date too): a first view. */
const fresh = () => ({
  quick: { kind: 'all' as const },
  filter,
  search: '',
  today: `2026-06-${String(1 + (day++ % 28)).padStart(2, '0')}`,
  timeZone: 'UTC',
  sort: { column: 'contactName' as const, direction: 'asc' as const },
  page: 1,
  pageSize: 50,
});
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function measure(name: string, fn: (run: number) => Promise<unknown>): Promise<void> {
  await fn(-1);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn(i);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  console.log(`${name.padEnd(62)} wall median ${median(wall).toFixed(1).padStart(7)} ms   cpu median ${median(cpu).toFixed(1).padStart(7)} ms`);
}

const kept = { ...fresh(), today: '2026-05-31' };
await old.listTracking(db, kept);
await measure('old: first view (count, then page)', () => old.listTracking(db, fresh()));
await measure('new: first view (page without count)', () => now.pageTracking(db, fresh()));
await measure('new: the count alone (tracking.total)', () => now.countTracking(db, fresh()));
await measure('old: next pages 2-6 (total kept)', (run) => old.listTracking(db, { ...kept, page: 2 + (Math.abs(run) % 5) }));
const keptNew = { ...fresh(), today: '2026-05-30' };
await now.countTracking(db, keptNew);
await measure('new: next pages 2-6 (total kept)', (run) => now.pageTracking(db, { ...keptNew, page: 2 + (Math.abs(run) % 5) }));
const office = { today: '2026-06-15', timeZone: 'UTC' };
await measure('old: dashboard.summary', () => oldDashboard.dashboardSummary(db, office));
await measure('new: dashboard.summary', () => nowDashboard.dashboardSummary(db, office));
const a = await oldDashboard.dashboardSummary(db, office);
const b = await nowDashboard.dashboardSummary(db, office);
console.log('dashboard numbers equal:', JSON.stringify(a) === JSON.stringify(b));
await db.destroy();
