/**
 * The benchmark's "import 100,000 certification records" on a copy of a
 * generated bench database, for measuring one change at a time (issue #15):
 * preview ms, apply ms, the longest list call and event-loop delay meanwhile,
 * and with SQL_TIMES=1 the time per statement kind.
 *
 * Usage: npx tsx scripts/profile-records-import.ts BASE_DIR [ROWS]
 * BASE_DIR holds a database made by `tsx scripts/bench-generate.ts BASE_DIR N SEED`;
 * the first run imports ROWS contacts into it (PRF-000000…), every run works
 * on a copy, so runs compare.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startBackend, type Backend } from '../main/backend';
import { closeDatabase, databaseFile, openDatabase } from '../main/db/database';
import { applyContactsCsv } from '../main/import/contacts-csv';
import type { ServiceContext } from '../main/services/context';
import { actorOf, authenticate, createUser } from '../main/services/users';
import { BENCH_NOW, BENCH_TODAY } from './bench-generate';
import { recordsCsv, recordsImportTargets } from './bench-records-import';
import { browseList, timeSql } from './support/profiling';

const base = path.resolve(process.argv[2] ?? '');
const rows = Number(process.argv[3] ?? 100_000);
const clock = { now: () => BENCH_NOW };
const credentials = { username: 'prof-admin', password: 'profile password 2026' };
const members = Array.from({ length: rows }, (_, i) => `PRF-${String(i).padStart(6, '0')}`);

async function prepareBase(): Promise<void> {
  const db = await openDatabase({ dataDir: base, now: clock.now });
  const ctx = { db, clock } as ServiceContext;
  const has = (await db('contacts')
    .where({ member_number: members[rows - 1] })
    .first()) as unknown;
  if (!has) {
    const admin = actorOf(await createUser(ctx, { ...credentials, displayName: 'Profile Admin', role: 'admin' }));
    const text = ['First Name,Last Name,Email,Member Number', ...members.map((m, i) => `Pat${i},Member${i},pat${i}.prf@example.org,${m}`)].join('\n');
    const t0 = performance.now();
    await applyContactsCsv(ctx, admin, { text });
    console.log(`base: imported ${rows} contacts in ${(performance.now() - t0).toFixed(0)} ms`);
  }
  await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
  await closeDatabase(db);
}

async function call<T>(backend: Backend, name: string, input: unknown): Promise<T> {
  const envelope = await backend.invoke(name, input);
  if (!envelope.ok) throw new Error(`${name} failed: ${envelope.error.code} ${envelope.error.message}`);
  return envelope.value as T;
}

async function main(): Promise<void> {
  await prepareBase();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-prof-records-'));
  fs.copyFileSync(databaseFile(base), databaseFile(work));
  const backend = await startBackend({ dataDir: work, version: 'profile', clock });
  try {
    const db = backend.context.services.db;
    const sqlMs = timeSql(db, 120);
    backend.context.session.user = await authenticate(backend.context.services, credentials.username, credentials.password);
    const existing = ((await db('records').count({ n: '*' })) as Array<{ n: number }>)[0]?.n ?? 0;
    const [target] = await recordsImportTargets(db);
    if (!target) throw new Error('no certification');
    const data = Buffer.from(recordsCsv(members, target.code, target.component, BENCH_TODAY), 'utf8').toString('base64');
    console.log(`${existing.toLocaleString('en')} records before; importing ${rows.toLocaleString('en')} into ${target.code}`);

    const { calls, stop } = browseList(backend);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const preview = await call<{ sha256: string; rows: object }>(backend, 'imports.preview', { kind: 'records', data });
    const t1 = performance.now();
    const previewLoop = loop.max / 1e6;
    const c1 = process.cpuUsage();
    const previewCalls = calls.length ? Math.max(...calls) : 0;
    loop.reset();
    const job = await call<{ id: string }>(backend, 'imports.apply', { kind: 'records', data, expectSha256: preview.sha256 });
    let progress = 0;
    for (;;) {
      const s = await call<{ state: string; message: string }>(backend, 'jobs.get', { id: job.id });
      if (s.state === 'failed') throw new Error(s.message);
      if (s.state === 'done') break;
      progress++;
      await new Promise((r) => setTimeout(r, 20));
    }
    const t2 = performance.now();
    const c2 = process.cpuUsage();
    const cpu = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => `cpu ${((b.user + b.system - a.user - a.system) / 1000).toFixed(0)} ms`;
    await stop();
    loop.disable();
    console.log(`rows ${JSON.stringify(preview.rows)}`);
    console.log(`preview ${(t1 - t0).toFixed(0)} ms, ${cpu(c0, c1)} (loop max ${previewLoop.toFixed(0)} ms, longest list call ${previewCalls.toFixed(0)} ms)`);
    console.log(
      `apply   ${(t2 - t1).toFixed(0)} ms, ${cpu(c1, c2)} (loop max ${(loop.max / 1e6).toFixed(0)} ms, longest list call ${Math.max(...calls).toFixed(0)} ms, ${calls.length} list calls, ${progress} progress polls)`,
    );
    console.log(`total   ${(t2 - t0).toFixed(0)} ms; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
    for (const [k, v] of [...sqlMs].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12))
      console.log(`${v.ms.toFixed(0).padStart(7)} ms ${String(v.n).padStart(6)}× ${k}`);
  } finally {
    await backend.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
