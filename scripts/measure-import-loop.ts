/**
 * What staff feel while a big CSV import previews and applies (issues #15, #17):
 * for each of the contacts, records and completions imports of ROWS rows, the
 * longest list call left unanswered, the event loop's longest delay
 * (monitorEventLoopDelay) and the process RSS after, separately for the preview
 * and the apply job, while the Tracking list is paged on through the backend
 * (as scripts/bench.ts's underLoad does). The files are built before the
 * measurement starts, so only the app's work is measured.
 *
 * Usage: node --expose-gc --import tsx scripts/measure-import-loop.ts BASE_DIR [ROWS] [--only contacts,records,completions] [--bench]
 * (with STALLS=FILE and node --cpu-prof, scripts/stall-cpu.mjs names the work in each stall)
 * BASE_DIR holds a database prepared by scripts/profile-records-import.ts (100,000
 * PRF-… contacts and the user prof-admin); every run works on a copy of it.
 * With --bench, BASE_DIR is a bench database (a copy of your own: it is changed in place, not copied)
 * and the files are the bench's own (contacts IMP0-…, their records in the first certification).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startBackend, type Backend } from '../main/backend';
import { databaseFile } from '../main/db/database';
import { authenticate, createUser } from '../main/services/users';
import { BENCH_NOW, BENCH_TODAY } from './bench-clock';
import { contactsCsv } from './bench-contacts-import';
import { completionsCsv } from './bench-completions-import';
import { recordsCsv, recordsImportTargets } from './bench-records-import';
import { browseList } from './support/profiling';

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt === -1 ? null : new Set((args[onlyAt + 1] ?? '').split(','));
const positional = args.filter((a, i) => !a.startsWith('--') && (onlyAt === -1 || i !== onlyAt + 1));
const benchFiles = args.includes('--bench');
const base = path.resolve(positional[0] ?? '');
const rows = Number(positional[1] ?? 100_000);
const clock = { now: () => BENCH_NOW };
const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
const gc = (globalThis as { gc?: () => void }).gc;

/**
 * With STALLS=FILE: every stall of the event loop over 50 ms, as [end µs, length µs] on the
 * monotonic clock a .cpuprofile uses, written to FILE at the end (to find the stalls' frames).
 */
const stalls: Array<[number, number]> = [];
if (process.env.STALLS) {
  let last = process.hrtime.bigint();
  setInterval(() => {
    const now = process.hrtime.bigint();
    const late = Number(now - last) / 1000 - 10_000;
    if (late > 50_000) stalls.push([Number(now / 1000n), late]);
    last = now;
  }, 10).unref();
  process.on('exit', () => fs.writeFileSync(process.env.STALLS as string, JSON.stringify(stalls)));
}

async function call<T>(backend: Backend, name: string, input: unknown): Promise<T> {
  const envelope = await backend.invoke(name, input);
  if (!envelope.ok) throw new Error(`${name} failed: ${envelope.error.code} ${envelope.error.message}`);
  return envelope.value as T;
}

/** Runs `work` while the list is paged on; what the list and the event loop saw meanwhile. */
async function underLoad<T>(
  backend: Backend,
  work: () => Promise<T>,
): Promise<{ value: T; ms: number; longest: number; calls: number; loopMax: number; cpuMs: number; peak: string }> {
  const { calls, stop } = browseList(backend);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  // The job's peak: what the process grows to decides what it keeps after (freed pages are reused, rarely returned at once).
  const peak = { rss: 0, heapTotal: 0, heapUsed: 0 };
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapTotal = Math.max(peak.heapTotal, m.heapTotal);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  }, 20);
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  try {
    const value = await work();
    const used = process.cpuUsage(cpu);
    return {
      value,
      ms: performance.now() - t0,
      longest: calls.length ? Math.max(...calls) : NaN,
      calls: calls.length,
      loopMax: loop.max / 1e6,
      cpuMs: (used.user + used.system) / 1000,
      peak: `peak RSS ${mb(peak.rss)}, heap ${mb(peak.heapUsed)} used of ${mb(peak.heapTotal)}`,
    };
  } finally {
    clearInterval(sample);
    loop.disable();
    await stop();
  }
}

async function waitForJob(backend: Backend, id: string): Promise<unknown> {
  for (;;) {
    const status = await call<{ state: string; message: string; result: unknown }>(backend, 'jobs.get', { id });
    if (status.state === 'failed') throw new Error(`job failed: ${status.message}`);
    if (status.state === 'done') return status.result;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** RSS now; with --expose-gc also after a forced GC and 3 s later (V8 gives freed pages back about a second after a GC). */
async function rss(): Promise<string> {
  const now = mb(process.memoryUsage().rss);
  if (!gc) return `RSS ${now} (run with --expose-gc for after GC)`;
  gc();
  const m = process.memoryUsage();
  await new Promise((r) => setTimeout(r, 3000));
  gc();
  const later = process.memoryUsage();
  return `RSS ${now}; after GC ${mb(m.rss)}, 3 s later ${mb(later.rss)} (heap ${mb(later.heapUsed)} of ${mb(later.heapTotal)}, external ${mb(later.external)})`;
}

async function measure(backend: Backend, kind: string, text: string): Promise<void> {
  const data = Buffer.from(text, 'utf8').toString('base64');
  const preview = await underLoad(backend, () =>
    call<{ sha256: string; fileError: unknown; rows: object; rejected: unknown[] }>(backend, 'imports.preview', { kind, data, fileName: `${kind}.csv` }),
  );
  if (preview.value.fileError) throw new Error(`${kind}: preview refused the file: ${JSON.stringify(preview.value.fileError)}`);
  const size = JSON.stringify(preview.value).length;
  console.log(
    `${kind} preview  ${preview.ms.toFixed(0)} ms (cpu ${preview.cpuMs.toFixed(0)}); ${preview.peak}; longest list call ${preview.longest.toFixed(0)} ms (${preview.calls} calls); loop max ${preview.loopMax.toFixed(0)} ms; result ${(size / 1024).toFixed(0)} KB; ${await rss()}`,
  );
  console.log(`  rows ${JSON.stringify(preview.value.rows)}`);
  const apply = await underLoad(backend, async () => {
    const job = await call<{ id: string }>(backend, 'imports.apply', { kind, data, fileName: `${kind}.csv`, expectSha256: preview.value.sha256 });
    return waitForJob(backend, job.id);
  });
  console.log(
    `${kind} apply    ${apply.ms.toFixed(0)} ms (cpu ${apply.cpuMs.toFixed(0)}); ${apply.peak}; longest list call ${apply.longest.toFixed(0)} ms (${apply.calls} calls); loop max ${apply.loopMax.toFixed(0)} ms; ${await rss()}`,
  );
}

async function main(): Promise<void> {
  const work = benchFiles ? base : fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-import-loop-'));
  if (!benchFiles) fs.copyFileSync(databaseFile(base), databaseFile(work));
  const backend = await startBackend({ dataDir: work, version: 'measure', clock });
  try {
    const db = backend.context.services.db;
    backend.context.session.user = benchFiles ? await benchAdmin(backend) : await authenticate(backend.context.services, 'prof-admin', 'profile password 2026');
    await underLoad(backend, () => new Promise((r) => setTimeout(r, 500))); // warm the list
    console.log(`after browsing: ${await rss()}`);
    const want = (kind: string) => only === null || only.has(kind);
    if (want('contacts') && benchFiles) await measure(backend, 'contacts', contactsCsv(rows, 0));
    else if (want('contacts')) {
      const lines = ['First Name,Last Name,Email,Member Number,Organization,Phone'];
      for (let i = 0; i < rows; i++)
        lines.push(
          `Zoë,Müller${i},zoe.${i}@example.org,NEW-${String(i).padStart(6, '0')},"Regional Health Partners, Unit ${i % 40}",555-${String(i % 10_000).padStart(4, '0')}`,
        );
      await measure(backend, 'contacts', `${lines.join('\n')}\n`);
    }
    if (want('records')) {
      const members = Array.from({ length: rows }, (_, i) => `${benchFiles ? 'IMP0-' : 'PRF-'}${String(i).padStart(6, '0')}`);
      const [target] = await recordsImportTargets(db);
      if (!target) throw new Error('no certification');
      await measure(backend, 'records', recordsCsv(members, target.code, target.component, BENCH_TODAY));
    }
    if (want('completions')) {
      const file = await completionsCsv(db, rows, BENCH_TODAY);
      console.log(`completions file: ${file.rows} rows`);
      await measure(backend, 'completions', file.text);
    }
  } finally {
    await backend.close();
    if (!benchFiles) fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The bench's admin (scripts/bench.ts signIn), made on a database that has none yet. */
async function benchAdmin(backend: Backend) {
  const ctx = backend.context.services;
  const credentials = { username: 'bench-admin', password: 'benchmark password 2026' };
  try {
    return await authenticate(ctx, credentials.username, credentials.password);
  } catch {
    return createUser(ctx, { ...credentials, displayName: 'Bench Admin', role: 'admin' });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
