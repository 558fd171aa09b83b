/**
 * Measures the contacts and records CSV imports at N rows on a fresh database
 * (issue #15/#17): preview ms, apply ms, RSS, and the longest event-loop stall.
 * Usage: npx tsx scripts/profile-imports.ts 20000 [dir]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDatabase, closeDatabase } from '../main/db/database';
import { applyContactsCsv, previewContactsCsv } from '../main/import/contacts-csv';
import { applyRecordsCsv, previewRecordsCsv } from '../main/import/records-csv';
import type { ServiceContext } from '../main/services/context';
import { createProgram } from '../main/services/programs';
import { writeSettings } from '../main/services/settings';
import { actorOf, createUser } from '../main/services/users';
import { recordsCsv } from './bench-records-import';
import { timeSql } from './support/profiling';

const n = Number(process.argv[2] ?? 10000);
const dir = fs.mkdtempSync(path.join(process.argv[3] ?? os.tmpdir(), 'certdesk-prof-'));

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const start = performance.now();
  const v = await fn();
  const ms = performance.now() - start;
  h.disable();
  console.log(`${label}\t${ms.toFixed(0)} ms\tmax loop delay ${(h.max / 1e6).toFixed(0)} ms\tRSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
  return v;
}

async function main(): Promise<void> {
  const clock = { now: () => new Date('2026-03-10T15:00:00Z') };
  const db = await openDatabase({ dataDir: dir, now: () => clock.now() });
  const sqlMs = timeSql(db);
  await writeSettings(db, { timeZone: 'America/New_York', expiringDays: 30 });
  const ctx: ServiceContext = { db, clock } as ServiceContext;
  const admin = actorOf(await createUser(ctx, { username: 'ada', displayName: 'Ada', role: 'admin', password: 'correct horse battery' }));
  await createProgram(ctx, {
    code: 'BCS',
    name: 'Board Certified',
    requireApproval: false,
    requireCompletionApproval: false,
    expiration: { kind: 'period', amount: 1, unit: 'years' },
    components: [
      { name: 'Course A', kind: 'course', credits: 4, creditUnit: 'hours', required: true },
      { name: 'Final Exam', kind: 'exam', credits: 0, creditUnit: 'credits', required: true },
    ],
  });
  const members = Array.from({ length: n }, (_, i) => `M${String(i).padStart(7, '0')}`);
  const contacts = ['First Name,Last Name,Email,Member Number', ...members.map((m, i) => `Pat${i},Member${i},pat${i}@example.org,${m}`)].join('\n') + '\n';
  const cin = { text: contacts };
  const cp = await timed(`contacts preview ${n}`, () => previewContactsCsv(db, cin));
  await timed(`contacts apply   ${n}`, () => applyContactsCsv(ctx, admin, { ...cin, expectSha256: cp.sha256 }));
  const rin = { text: recordsCsv(members, 'BCS', 'Course A', '2026-03-10'), fileName: 'records.csv' };
  const rp = await timed(`records preview  ${n}`, () => previewRecordsCsv(ctx, rin));
  const ra = await timed(`records apply    ${n}`, () => applyRecordsCsv(ctx, admin, { ...rin, expectSha256: rp.sha256 }));
  console.log(JSON.stringify(ra.rows), ra.rejected.slice(0, 2));
  for (const [k, v] of [...sqlMs].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) console.log(`${v.ms.toFixed(0)} ms\t${v.n}×\t${k}`);
  await closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
}
void main();
