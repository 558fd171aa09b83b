/**
 * What the main process's memory is made of after one of the bench's jobs (issue #17, "≤ 400 MB after any
 * job"): RSS sampled during the job (peak), then V8's spaces, SQLite's own count, and glibc's arenas
 * (malloc_info through gdb, when gdb is there), right after the job and 5 s later.
 *
 *   npx tsx scripts/memory-diag.ts DIR contacts|records|completions|sweep [--trim]
 *
 * DIR holds a copy of the bench database (the job writes to it). --trim also calls malloc_trim(0) through gdb
 * at the end, to tell freed-but-kept allocator memory from memory in use. gdb stops the process while it reads
 * (~0.2 s): time nothing across a snapshot. NO_BROWSE=1: no list paged beside the job (CPU per phase of the
 * job alone); GC_LOG=1: every collection of 30 ms or more; PREVIEW_ONLY=1: the imports' previews alone.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import v8 from 'node:v8';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { startBackend, type Backend } from '../main/backend';
import { createUser, authenticate } from '../main/services/users';
import { runSweep } from '../main/services/sweep';
import { BENCH_NOW, BENCH_TODAY } from './bench-clock';
import { contactsCsv } from './bench-contacts-import';
import { recordsCsv, recordsImportTargets } from './bench-records-import';
import { completionsCsv } from './bench-completions-import';
import { browseList } from './support/profiling';

const [dataDir, job] = process.argv.slice(2);
const trim = process.argv.includes('--trim');
if (!dataDir || !job) throw new Error('usage: memory-diag.ts DIR contacts|records|completions|sweep [--trim]');

const mb = (n: number) => Math.round(n / 2 ** 20);
const clock = (at: Date) => ({ now: () => at });

async function call<T>(backend: Backend, name: string, input: unknown): Promise<T> {
  const envelope = await backend.invoke(name, input);
  if (!envelope.ok) throw new Error(`${name} failed: ${envelope.error.code} ${envelope.error.message}`);
  return envelope.value as T;
}

async function waitForJob(backend: Backend, id: string): Promise<void> {
  for (;;) {
    const status = await call<{ state: string; message: string }>(backend, 'jobs.get', { id });
    if (status.state === 'failed') throw new Error(`job failed: ${status.message}`);
    if (status.state === 'done') return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function importFile(backend: Backend, kind: string, data: string, phase: (p: string) => void): Promise<void> {
  phase(`${kind} preview`);
  const preview = await call<{ sha256: string; rows: unknown }>(backend, 'imports.preview', { kind, data });
  if (process.env.PREVIEW_ONLY) return;
  phase(`${kind} apply (preview: ${JSON.stringify(preview.rows)})`);
  const started = await call<{ id: string }>(backend, 'imports.apply', { kind, data, expectSha256: preview.sha256 });
  await waitForJob(backend, started.id);
}

function v8Spaces(): string {
  return v8
    .getHeapSpaceStatistics()
    .filter((s) => s.physical_space_size > 2 ** 20)
    .map((s) => `${s.space_name.replace('_space', '')} ${mb(s.physical_space_size)}`)
    .join(', ');
}

/** glibc's arenas: bytes taken from the system, and of them free (kept by the allocator). */
let sqlite = '';
function mallocInfo(): string {
  const out = `/tmp/malloc-info-${process.pid}.xml`;
  try {
    const said = execFileSync(
      'gdb',
      [
        '-p',
        String(process.pid),
        '-batch',
        '-ex',
        `call (int)malloc_info(0, (void*)fopen("${out}", "w"))`,
        '-ex',
        'call (int)fflush(0)',
        '-ex',
        'call (long long)sqlite3_memory_used()',
        '-ex',
        'call (long long)sqlite3_memory_highwater(0)',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    ).toString();
    const values = [...said.matchAll(/^\$\d+ = (-?\d+)$/gm)].map((m) => Number(m[1]));
    sqlite = `SQLite ${mb(values[2] ?? 0)} MB in use (highwater ${mb(values[3] ?? 0)}); `;
    const xml = fs.readFileSync(out, 'utf8');
    const arenas = [...xml.matchAll(/<heap nr="(\d+)">([\s\S]*?)<\/heap>/g)].map(([, nr, body]) => {
      const current = Number(/<system type="current" size="(\d+)"/.exec(body ?? '')?.[1] ?? 0);
      const free = [...(body ?? '').matchAll(/<total type="(?:fast|rest)" count="\d+" size="(\d+)"/g)].reduce((s, m) => s + Number(m[1]), 0);
      return { nr, current, free };
    });
    const mmap = /<total type="mmap" count="(\d+)" size="(\d+)"/.exec(xml.slice(xml.lastIndexOf('</heap>')));
    const total = arenas.reduce((s, a) => s + a.current, 0);
    const free = arenas.reduce((s, a) => s + a.free, 0);
    const each = arenas.filter((a) => a.current > 2 ** 20).map((a) => `#${a.nr} ${mb(a.current)}/${mb(a.free)} free`);
    return `${sqlite}malloc arenas ${arenas.length}: ${mb(total)} MB from the system, ${mb(free)} MB of it free; mmapped ${mmap ? mb(Number(mmap[2])) : '?'} MB [${each.join(', ')}]`;
  } catch (err) {
    return `malloc_info unavailable (${(err as Error).message.split('\n')[0]})`;
  }
}

function mallocTrim(): void {
  execFileSync('gdb', ['-p', String(process.pid), '-batch', '-ex', 'call (int)malloc_trim(0)'], { stdio: 'ignore' });
}

function snapshot(label: string): void {
  const m = process.memoryUsage();
  console.log(
    `${label}: RSS ${mb(m.rss)} MB; V8 heap ${mb(m.heapUsed)} used of ${mb(m.heapTotal)} (${v8Spaces()}); external ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)})`,
  );
  console.log(`  ${mallocInfo()}`);
}

async function main(): Promise<void> {
  const backend = await startBackend({ dataDir: dataDir as string, version: 'diag', clock: clock(BENCH_NOW) });
  const ctx = backend.context.services;
  const credentials = { username: 'bench-admin', password: 'benchmark password 2026' };
  backend.context.session.user = await createUser(ctx, { ...credentials, displayName: 'Bench Admin', role: 'admin' }).catch(() =>
    authenticate(ctx, credentials.username, credentials.password),
  );
  // The list paged beside the job, as in the bench (the reader's cache is warm, as staff leave it).
  // NO_BROWSE=1: the job alone (for its CPU time).
  const browse = browseList(backend, !process.env.NO_BROWSE);
  await new Promise((r) => setTimeout(r, 2000));
  snapshot('browsing');

  let phase = '';
  const peaks = new Map<string, { rss: number; heap: number; external: number }>();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    const p = peaks.get(phase) ?? { rss: 0, heap: 0, external: 0 };
    peaks.set(phase, { rss: Math.max(p.rss, m.rss), heap: Math.max(p.heap, m.heapTotal), external: Math.max(p.external, m.external) });
  }, 50);
  // CPU time per phase (the whole process: the main thread and SQLite's threads).
  const cpuOf = new Map<string, number>();
  let phaseCpu = process.cpuUsage();
  const setPhase = (p: string) => {
    const used = process.cpuUsage(phaseCpu);
    cpuOf.set(phase, (cpuOf.get(phase) ?? 0) + (used.user + used.system) / 1e6);
    phaseCpu = process.cpuUsage();
    phase = p;
  };

  // GC_LOG=1: every collection of 30 ms or more, with its kind (flags 4 = forced) and the phase it fell in.
  const gcs = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as Array<PerformanceEntry & { detail?: { kind: number; flags: number } }>)
      if (e.duration >= 30) console.log(`  [gc ${e.duration.toFixed(0)} ms, kind ${e.detail?.kind}, flags ${e.detail?.flags}, during ${phase || 'idle'}]`);
  });
  if (process.env.GC_LOG) gcs.observe({ entryTypes: ['gc'] });
  const db = ctx.db;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  if (job === 'contacts') {
    for (const run of [0, 1]) await importFile(backend, 'contacts', Buffer.from(contactsCsv(100_000, run), 'utf8').toString('base64'), setPhase);
  } else if (job === 'records') {
    const members = Array.from({ length: 100_000 }, (_, i) => `IMP0-${String(i).padStart(6, '0')}`);
    // The contacts the records belong to (the bench imports them first).
    for (const run of [0, 1]) await importFile(backend, 'contacts', Buffer.from(contactsCsv(100_000, run), 'utf8').toString('base64'), setPhase);
    snapshot('after the contacts imports');
    for (const target of (await recordsImportTargets(db)).slice(0, 2))
      await importFile(backend, 'records', Buffer.from(recordsCsv(members, target.code, target.component, BENCH_TODAY), 'utf8').toString('base64'), setPhase);
  } else if (job === 'completions') {
    const file = await completionsCsv(db, 100_000, BENCH_TODAY);
    await importFile(backend, 'completions', Buffer.from(file.text, 'utf8').toString('base64'), setPhase);
  } else if (job === 'sweep') {
    setPhase('sweep');
    await runSweep({ db, clock: clock(new Date(BENCH_NOW.getTime() + 365 * 86_400_000)) });
  } else throw new Error(`unknown job ${job}`);
  setPhase('');
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  await browse.stop();
  console.log(`${job}: ${(ms / 1000).toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (user ${(cpu.user / 1e6).toFixed(1)})`);
  for (const [p, peak] of peaks)
    console.log(`  peak during ${p}: RSS ${mb(peak.rss)} MB, V8 heap ${mb(peak.heap)}, external ${mb(peak.external)}; CPU ${(cpuOf.get(p) ?? 0).toFixed(1)} s`);
  snapshot('right after');
  await new Promise((r) => setTimeout(r, 5000));
  snapshot('5 s later');
  gcs.disconnect();
  if (trim) {
    mallocTrim();
    snapshot('after malloc_trim(0)');
  }
  await backend.close();
}

await main();
