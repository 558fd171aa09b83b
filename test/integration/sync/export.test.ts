/**
 * The sync export on a real database file (RELIABILITY.md promise 4): batches
 * that verify, the same bytes for the same range, contiguous runs, precise
 * verifier messages, and failures (no folder, missing folder, read-only, disk
 * full, a second export) that name their cause, move nothing and retry cleanly.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../../main/services/context';
import { writeSettings } from '../../../main/services/settings';
import { SyncError } from '../../../main/sync/errors';
import { exportChanges, type ExportOptions } from '../../../main/sync/export';
import { canonicalJson, manifestChecksum, sha256Hex, type Manifest } from '../../../main/sync/format';
import { LOCK_FILE } from '../../../main/sync/lock';
import { listSyncRuns } from '../../../main/sync/runs';
import { readCheckpoint, readSyncState, writeCheckpoint } from '../../../main/sync/state';
import { verifyFolder } from '../../../main/sync/verify';
import { freshDb, logSince, makeStaff, maxSeq, removeDir, tempDir, type TestDb } from '../support';
import { batchNames, oneToN, randomWorkload, seqsInFolder, tree } from './helpers';

const ROOT = path.resolve(import.meta.dirname, '../../..');

let t: TestDb;
let staff: Actor;
let out: string;
const cleanup: Array<() => void> = [];

beforeEach(async () => {
  t = await freshDb();
  staff = await makeStaff(t.ctx, 'sam', 'Sam Staff');
  out = tempDir('certdesk-sync-out-');
});
afterEach(async () => {
  while (cleanup.length) cleanup.pop()?.();
  await t.dispose();
  removeDir(out);
});

function exportTo(folder: string | undefined, extra: Partial<ExportOptions> = {}) {
  return exportChanges({ db: t.db, dataDir: t.dir, folder, ...extra });
}

async function expectSyncError(promise: Promise<unknown>, code: string, text: RegExp): Promise<SyncError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SyncError);
  expect((err as SyncError).code).toBe(code);
  expect((err as SyncError).message).toMatch(text);
  return err as SyncError;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

/** Rewrites a batch's manifest with correct sizes, hashes and checksum, so only the deeper checks can notice a change. */
function resealManifest(dir: string, mutate: (m: Manifest) => void = () => undefined): void {
  const m = readManifest(dir);
  m.files = m.files.map((f) => {
    const bytes = fs.readFileSync(path.join(dir, f.name));
    return { ...f, bytes: bytes.length, sha256: sha256Hex(bytes) };
  });
  mutate(m);
  m.manifestSha256 = manifestChecksum(m as unknown as Record<string, unknown>);
  fs.writeFileSync(path.join(dir, 'manifest.json'), canonicalJson(m));
}

describe('export and verify', () => {
  it('writes every change into batches that verify, line for line as logged, and moves the checkpoint', async () => {
    await randomWorkload(t, staff, { seed: 1, minChanges: 400 });
    const max = await maxSeq(t.db);
    const result = await exportTo(out, { maxChanges: 150 });

    expect(result.fromSeq).toBe(1);
    expect(result.toSeq).toBe(max);
    expect(result.changes).toBe(max);
    expect(result.batches.length).toBe(Math.ceil(max / 150));
    expect(Object.values(result.counts).reduce((a, b) => a + b, 0)).toBe(max);
    expect(batchNames(out)).toEqual(result.batches.map((b) => b.name));
    const report = await verifyFolder(out);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const { seqs } = await seqsInFolder(out);
    expect(seqs).toEqual(oneToN(max));
    expect(await readSyncState(t.db)).toMatchObject({ checkpoint: max, lastSeq: max, pending: 0 });

    // Each line is the change-log entry, data included, exactly.
    const log = await logSince(t.db, 0);
    const lines = new Map<number, unknown>();
    for (const name of batchNames(out)) {
      for (const file of fs.readdirSync(path.join(out, name)).filter((f) => f.endsWith('.jsonl'))) {
        for (const line of fs
          .readFileSync(path.join(out, name, file), 'utf8')
          .split('\n')
          .filter(Boolean)) {
          const parsed = JSON.parse(line) as { seq: number };
          lines.set(parsed.seq, parsed);
        }
      }
    }
    for (const entry of log) {
      expect(lines.get(entry.seq)).toEqual({
        seq: entry.seq,
        entity: entry.entity,
        id: entry.entity_id,
        op: entry.op,
        at: entry.at,
        data: JSON.parse(entry.data),
      });
    }
    // The batch names the time of its last change, never the wall clock.
    const first = result.batches[0];
    expect(readManifest(path.join(out, first?.name ?? '')).createdAt).toBe(log.find((e) => e.seq === first?.toSeq)?.at);

    // The outbox rows handed over are marked, and that bookkeeping is not itself a change.
    const outbox = (await t.db('outbox').select('id', 'state', 'exported_seq', 'withdrawn_at')) as Array<{
      id: number;
      state: string;
      exported_seq: number | null;
      withdrawn_at: string | null;
    }>;
    expect(outbox.length).toBeGreaterThan(0);
    for (const row of outbox) {
      // A withdrawn email stays withdrawn: handed over as withdrawn, never as sendable.
      expect(row.state).toBe(row.withdrawn_at === null ? 'exported' : 'withdrawn');
      expect(row.exported_seq).toBe(Math.max(...log.filter((e) => e.entity === 'outbox' && e.entity_id === row.id).map((e) => e.seq)));
    }
    expect(await maxSeq(t.db)).toBe(max);

    const runs = listSyncRuns(t.dir);
    expect(runs[0]).toMatchObject({ outcome: 'exported', fromSeq: 1, toSeq: max, changes: max, folder: out, error: null });
    expect(runs[0]?.batches).toHaveLength(result.batches.length);
  });

  it('exporting the same range twice gives the same bytes, and an identical batch already there is kept as it is', async () => {
    await randomWorkload(t, staff, { seed: 2, minChanges: 300 });
    await exportTo(out, { maxChanges: 120 });
    const again = tempDir('certdesk-sync-again-');
    cleanup.push(() => removeDir(again));
    await writeCheckpoint(t.db, 0);
    t.clock.set('2027-01-01T00:00:00Z');
    await exportTo(again, { maxChanges: 120 });
    const a = tree(out);
    expect(tree(again)).toEqual(a);

    // Into the same folder: every batch is found complete and identical; nothing is rewritten.
    await writeCheckpoint(t.db, 0);
    const third = await exportTo(out, { maxChanges: 120 });
    expect(third.batches.every((b) => b.alreadyPresent)).toBe(true);
    expect(tree(out)).toEqual(a);
    expect(await readCheckpoint(t.db)).toBe(await maxSeq(t.db));
  });

  it('the next export after more changes continues where the last one ended', async () => {
    await randomWorkload(t, staff, { seed: 3, minChanges: 200 });
    const first = await exportTo(out);
    await randomWorkload(t, staff, { seed: 4, minChanges: (first.toSeq ?? 0) + 150 });
    const second = await exportTo(out);
    expect(second.fromSeq).toBe((first.toSeq ?? 0) + 1);
    expect(second.toSeq).toBe(await maxSeq(t.db));
    const nothing = await exportTo(out);
    expect(nothing).toMatchObject({ changes: 0, fromSeq: null, toSeq: null, batches: [] });
    expect((await verifyFolder(out)).ok).toBe(true);
    expect((await seqsInFolder(out)).seqs).toEqual(oneToN(await maxSeq(t.db)));
    expect(listSyncRuns(t.dir).map((r) => r.outcome)).toEqual(['nothing-to-export', 'exported', 'exported']);
  });

  it('uses the sync folder from the settings when none is given', async () => {
    await randomWorkload(t, staff, { seed: 5, minChanges: 50 });
    await writeSettings(t.db, { syncFolder: out });
    const result = await exportTo(undefined);
    expect(result.folder).toBe(out);
    expect(batchNames(out)).toHaveLength(1);
  });

  it('the verifier names the batch and what is wrong with it', async () => {
    await randomWorkload(t, staff, { seed: 6, minChanges: 300 });
    const result = await exportTo(out, { maxChanges: 100 });
    const [b1, b2, b3] = result.batches.map((b) => b.name) as [string, string, string];
    const variant = (label: string, damage: (folder: string) => void): string => {
      const folder = tempDir(`certdesk-sync-${label}-`);
      cleanup.push(() => removeDir(folder));
      fs.cpSync(out, folder, { recursive: true });
      damage(folder);
      return folder;
    };
    const problemsOf = async (folder: string): Promise<string[]> => {
      const report = await verifyFolder(folder);
      expect(report.ok).toBe(false);
      return report.problems.map((p) => `${p.batch ?? ''}: ${p.message}`);
    };
    const dataFile = (folder: string, batch: string): string => {
      const name = readManifest(path.join(folder, batch)).files.find((f) => f.name === 'changes-record.jsonl')?.name ?? '';
      return path.join(folder, batch, name);
    };

    // One letter of a name changes case: still valid JSON of the same size, only the checksum can tell.
    const flipped = variant('flip', (f) => {
      const file = dataFile(f, b2);
      const bytes = fs.readFileSync(file);
      const at = bytes.indexOf('"sort_name":"') + '"sort_name":"'.length;
      bytes[at] = (bytes[at] ?? 0) ^ 0x20;
      fs.writeFileSync(file, bytes);
    });
    expect(await problemsOf(flipped)).toContain(`${b2}: changes-record.jsonl does not match its SHA-256 in the manifest (it was changed or damaged)`);

    const manifestEdited = variant('manifest', (f) => {
      const file = path.join(f, b1, 'manifest.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"formatVersion": 1', '"formatVersion": 1, "note": "edited"'));
    });
    expect((await problemsOf(manifestEdited)).join('\n')).toMatch(new RegExp(`${b1}: manifest.json does not match its own checksum`));

    const missing = variant('missing', (f) => fs.rmSync(dataFile(f, b3)));
    expect(await problemsOf(missing)).toContain(`${b3}: changes-record.jsonl is missing`);

    const truncated = variant('truncated', (f) => {
      const file = dataFile(f, b1);
      fs.truncateSync(file, fs.statSync(file).size - 7);
    });
    const cut = (await problemsOf(truncated)).join('\n');
    expect(cut).toMatch(/changes-record\.jsonl is \d+ bytes, the manifest says \d+/);
    expect(cut).toMatch(/does not end with a newline/);

    const gap = variant('gap', (f) => fs.rmSync(path.join(f, b2), { recursive: true }));
    const m2 = result.batches[1];
    expect(await problemsOf(gap)).toEqual([`${b3}: gap: seq ${m2?.fromSeq}–${m2?.toSeq} is in no batch (between ${b1} and this one)`]);

    // A duplicated line with a manifest resealed to match: only the deep checks can see it.
    const duplicated = variant('dup', (f) => {
      const file = dataFile(f, b2);
      const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
      fs.writeFileSync(file, `${[...lines, lines[0]].join('\n')}\n`);
      resealManifest(path.join(f, b2), (m) => void (m.counts.record = (m.counts.record ?? 0) + 1));
    });
    const dup = (await problemsOf(duplicated)).join('\n');
    expect(dup).toMatch(new RegExp(`${b2}: seq \\d+ appears twice \\(changes-record.jsonl line 1 and changes-record.jsonl line \\d+\\)`));
    expect(dup).toMatch(/counts add up to 101 changes, but seq \d+–\d+ is 100/);

    const future = variant('future', (f) => resealManifest(path.join(f, b1), (m) => void (m.formatVersion = 2)));
    expect(await problemsOf(future)).toContain(`${b1}: manifest.json has formatVersion 2; this reader knows version 1 only`);

    // Leftovers of an interrupted export are warnings, not problems.
    const leftovers = variant('tmp', (f) => fs.mkdirSync(path.join(f, `.tmp-${b1}-999999-abcd`)));
    const report = await verifyFolder(leftovers);
    expect(report.ok).toBe(true);
    expect(report.warnings.map((w) => w.message)).toContain('left by an interrupted export; ignored (the next export of that device removes it)');

    // The command: exit 1 and the list of problems; exit 0 on a good folder.
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'main/sync/cli-verify.ts', flipped], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain(`problem: ${b2}: changes-record.jsonl does not match its SHA-256`);
    expect(bad.stdout.trim().split('\n').pop()).toBe(`FAILED: 1 problem in ${result.batches.length} batches.`);
    const good = spawnSync(process.execPath, ['--import', 'tsx', 'main/sync/cli-verify.ts', out], { cwd: ROOT, encoding: 'utf8' });
    expect(good.status).toBe(0);
    expect(good.stdout.trim().split('\n').pop()).toBe(`OK: ${result.batches.length} batches, ${result.changes} changes, all verify.`);
  });

  it('refuses to pass a batch already in the folder that holds other changes for the same range', async () => {
    await randomWorkload(t, staff, { seed: 7, minChanges: 80 });
    const first = await exportTo(out);
    const name = first.batches[0]?.name ?? '';
    const file = path.join(out, name, 'changes-contact.jsonl');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"first_name":"', '"first_name":"X'));
    resealManifest(path.join(out, name));
    await writeCheckpoint(t.db, 0);
    await expectSyncError(exportTo(out), 'CONFLICT', new RegExp(`already holds ${name} with other changes for the same range`));
    expect(await readCheckpoint(t.db)).toBe(0);
    expect(listSyncRuns(t.dir)[0]).toMatchObject({ outcome: 'failed', error: { code: 'CONFLICT' } });

    // Damaged under its final name (not resealed): named, refused, and written again once moved away.
    fs.appendFileSync(file, '{"seq":0}\n');
    await expectSyncError(exportTo(out), 'CONFLICT', new RegExp(`already holds ${name}, but it does not verify: changes-contact.jsonl is \\d+ bytes`));
    fs.renameSync(path.join(out, name), path.join(out, 'moved-away'));
    const again = await exportTo(out);
    expect(again.batches.map((b) => [b.name, b.alreadyPresent])).toEqual([[name, false]]);
    expect((await verifyFolder(out)).problems).toEqual([]);
  });
});

function tryMount(dir: string, options: string): string | null {
  if (process.getuid?.() !== 0) return 'not root, cannot mount a tmpfs';
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? null : `mount failed: ${r.stderr.trim()}`;
}

function remount(dir: string, options: string): void {
  const r = spawnSync('mount', ['-o', `remount,${options}`, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`remount failed: ${r.stderr}`);
}

describe('failures name their cause, move nothing, and the next run retries', () => {
  async function expectUnchangedThenRetry(folder: string): Promise<void> {
    expect(await readCheckpoint(t.db)).toBe(0);
    const retry = await exportTo(folder);
    expect(retry.fromSeq).toBe(1);
    expect(retry.toSeq).toBe(await maxSeq(t.db));
    expect((await verifyFolder(folder)).ok).toBe(true);
    expect(
      listSyncRuns(t.dir)
        .map((r) => r.outcome)
        .slice(0, 2),
    ).toEqual(['exported', 'failed']);
  }

  beforeEach(async () => {
    await randomWorkload(t, staff, { seed: 8, minChanges: 120 });
  });

  it('no sync folder set', async () => {
    await expectSyncError(exportTo(undefined), 'NO_FOLDER', /No sync folder is set/);
    expect(listSyncRuns(t.dir)[0]).toMatchObject({ outcome: 'failed', error: { code: 'NO_FOLDER' } });
    await writeSettings(t.db, { syncFolder: out });
    await expectUnchangedThenRetry(out);
  });

  it('the folder is missing', async () => {
    const folder = path.join(out, 'usb-stick');
    const err = await expectSyncError(exportTo(folder), 'FOLDER_MISSING', /does not exist/);
    expect(err.message).toContain(folder);
    expect(listSyncRuns(t.dir)[0]).toMatchObject({ outcome: 'failed', folder, error: { code: 'FOLDER_MISSING', message: err.message } });
    fs.mkdirSync(folder);
    await expectUnchangedThenRetry(folder);
  });

  it('part of the path is a file', async () => {
    fs.writeFileSync(path.join(out, 'file'), 'x');
    const folder = path.join(out, 'file', 'sync');
    const err = await expectSyncError(exportTo(folder), 'FOLDER_MISSING', /is not a folder: part of that path is a file/);
    expect(err.message).toContain(folder);
    await expectSyncError(exportTo(path.join(out, 'file')), 'FOLDER_MISSING', /is a file, not a folder/);
    await expectUnchangedThenRetry(out);
  });

  it('the folder is not writable', async (ctx) => {
    const folder = path.join(out, 'readonly');
    fs.mkdirSync(folder);
    let restore: () => void;
    if (process.getuid?.() === 0) {
      // root writes through permission bits, so a read-only mount stands in for them.
      const why = tryMount(folder, 'size=4m');
      if (why) {
        console.log(`SKIPPED not-writable folder: ${why}`);
        ctx.skip();
        return;
      }
      cleanup.push(() => void spawnSync('umount', [folder]));
      remount(folder, 'ro');
      restore = () => remount(folder, 'rw');
    } else {
      fs.chmodSync(folder, 0o500);
      restore = () => fs.chmodSync(folder, 0o700);
    }
    const err = await expectSyncError(exportTo(folder), 'FOLDER_NOT_WRITABLE', /read-only|permission denied/);
    expect(err.message).toContain(folder);
    restore();
    await expectUnchangedThenRetry(folder);
  });

  it('the disk is full: nothing under a final name, nothing left behind, and it works once space is freed', async (ctx) => {
    const folder = path.join(out, 'small-disk');
    fs.mkdirSync(folder);
    const why = tryMount(folder, 'size=8k');
    if (why) {
      console.log(`SKIPPED disk-full export: ${why}`);
      ctx.skip();
      return;
    }
    cleanup.push(() => void spawnSync('umount', [folder]));
    const err = await expectSyncError(exportTo(folder), 'DISK_FULL', /is full \(ENOSPC\)/);
    expect(err.message).toContain(folder);
    expect(fs.readdirSync(folder)).toEqual([]);
    remount(folder, 'size=16m');
    await expectUnchangedThenRetry(folder);
  });

  it('never two exports at once: in this process, or while another live process holds the lock', async () => {
    const settled = await Promise.allSettled([exportTo(out), exportTo(out)]);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    const refused = settled.find((s) => s.status === 'rejected');
    expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: 'BUSY' });
    expect(fs.existsSync(path.join(t.dir, LOCK_FILE))).toBe(false);

    await randomWorkload(t, staff, { seed: 9, minChanges: (await maxSeq(t.db)) + 20 });
    const sleeper = spawn('sleep', ['30']);
    cleanup.push(() => void sleeper.kill('SIGKILL'));
    fs.writeFileSync(path.join(t.dir, LOCK_FILE), `${sleeper.pid ?? ''}\n`);
    await expectSyncError(exportTo(out), 'BUSY', new RegExp(`already running \\(process ${sleeper.pid ?? ''}\\)`));
    sleeper.kill('SIGKILL');
    await new Promise((resolve) => sleeper.once('exit', resolve));
    // Its process is gone: the lock is stale and taken over.
    const after = await exportTo(out);
    expect(after.changes).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(t.dir, LOCK_FILE))).toBe(false);
  });

  it('the command prints progress and one line with the outcome, and fails with the cause', async () => {
    const missing = path.join(out, 'nope');
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'main/sync/cli-export.ts', '--data', t.dir, '--to', missing], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`Export failed: The sync folder ${missing} does not exist`);
    await writeSettings(t.db, { syncFolder: out });
    const good = spawnSync(process.execPath, ['--import', 'tsx', 'main/sync/cli-export.ts', '--data', t.dir], { cwd: ROOT, encoding: 'utf8' });
    expect(good.stderr).toBe('');
    expect(good.status).toBe(0);
    const max = await maxSeq(t.db);
    expect(good.stdout).toContain(`${max} changes to export`);
    expect(good.stdout.trim().split('\n').pop()).toBe(
      `Exported ${max} changes (seq 1–${max}) in 1 batch to ${out} in ${listSyncRuns(t.dir)[0]?.durationMs ?? ''} ms.`,
    );
    expect(listSyncRuns(t.dir)[0]).toMatchObject({ trigger: 'cli', outcome: 'exported' });
  });
});
