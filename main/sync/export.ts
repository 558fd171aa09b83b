/**
 * The sync export (SPEC.md §5, RELIABILITY.md promise 4): the changes after
 * the checkpoint, as batches written into the sync folder durably — temporary
 * folder, every file fsynced, the folder renamed into place, the sync folder
 * fsynced — and only then the checkpoint moved, in one transaction with the
 * outbox rows the batch hands over.
 *
 * A crash at any point leaves either no batch under its final name or a
 * complete one; the next run removes temporary leftovers, finds a complete
 * batch the checkpoint had not yet passed, checks it byte for byte against the
 * change log, and goes on from there. Nothing is lost or skipped, and since a
 * range always gives the same bytes, nothing reaches a receiver twice.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Db } from '../db/database';
import { processAlive } from '../db/process-alive';
import type { Executor } from '../services/context';
import { readSettings } from '../services/settings';
import { errorCode, errorMessage, folderError, SyncError, type SyncProgress } from './errors';
import { streamBatch, type StreamedBatch } from './batch-stream';
import { batchName, parseBatchName, TEMP_PREFIX } from './format';
import { acquireExportLock } from './lock';
import { appendSyncRun, type SyncRun } from './runs';
import { ensureDeviceId, readCheckpoint, writeCheckpoint } from './state';
import { readBatch } from './verify';

export const DEFAULT_MAX_CHANGES = 100_000;

/**
 * Named points of writing one batch where a test can have the process killed
 * (CERTDESK_SYNC_CRASH_AT=<step> or <step>:<n> for the n-th time the step is
 * reached), to prove a crash at each of them loses and duplicates nothing.
 */
export const CRASH_STEPS = ['after-temp-write', 'after-fsync', 'after-rename', 'before-checkpoint', 'after-checkpoint'] as const;
export type CrashStep = (typeof CRASH_STEPS)[number];

const reached = new Map<CrashStep, number>();

function crashPoint(step: CrashStep): void {
  const spec = process.env.CERTDESK_SYNC_CRASH_AT;
  if (!spec) return;
  const [name, nth = '1'] = spec.split(':');
  if (name !== step) return;
  const count = (reached.get(step) ?? 0) + 1;
  reached.set(step, count);
  if (count === Number(nth)) process.kill(process.pid, 'SIGKILL');
}

export interface ExportOptions {
  db: Db;
  /** The app's data folder: the export's lock file and run log live here. */
  dataDir: string;
  /** Where batches go; the settings' syncFolder when not given. */
  folder?: string;
  /** Changes per batch (default 100 000); the export writes as many batches as it takes to catch up. */
  maxChanges?: number;
  job?: SyncProgress;
  /** What started the run, kept in the run log: 'manual', 'schedule', 'startup', 'cli', … */
  trigger?: string;
  /** Wall clock for the run log (batch bytes never depend on it). */
  now?: () => Date;
}

export interface ExportedBatch {
  name: string;
  fromSeq: number;
  toSeq: number;
  counts: Record<string, number>;
  /** The batch was already in the folder, complete and identical (an earlier run died before moving the checkpoint). */
  alreadyPresent: boolean;
}

export interface ExportResult {
  folder: string;
  deviceId: string;
  batches: ExportedBatch[];
  /** The range this run exported; null when there was nothing to export. */
  fromSeq: number | null;
  toSeq: number | null;
  changes: number;
  counts: Record<string, number>;
  durationMs: number;
}

/**
 * Exports every change after the checkpoint into `folder`. Never runs twice
 * at once for one data folder (SyncError BUSY). Every run except a BUSY
 * refusal is appended to the run log (listSyncRuns).
 */
export async function exportChanges(options: ExportOptions): Promise<ExportResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const t0 = performance.now();
  const maxChanges = options.maxChanges ?? DEFAULT_MAX_CHANGES;
  if (!Number.isSafeInteger(maxChanges) || maxChanges < 1) throw new RangeError(`maxChanges must be a positive integer, not ${maxChanges}.`);

  const release = acquireExportLock(options.dataDir);
  const result: ExportResult = { folder: '', deviceId: '', batches: [], fromSeq: null, toSeq: null, changes: 0, counts: {}, durationMs: 0 };
  const log = (outcome: SyncRun['outcome'], error: unknown): void => {
    result.durationMs = Math.round(performance.now() - t0);
    try {
      appendSyncRun(options.dataDir, {
        startedAt: startedAt.toISOString(),
        finishedAt: now().toISOString(),
        durationMs: result.durationMs,
        outcome,
        trigger: options.trigger ?? 'manual',
        folder: result.folder,
        deviceId: result.deviceId || null,
        fromSeq: result.fromSeq,
        toSeq: result.toSeq,
        changes: result.changes,
        batches: result.batches.map((b) => b.name),
        counts: result.counts,
        error: error === null ? null : { code: errorCode(error), message: errorMessage(error) },
      });
    } catch {
      // The run log is a convenience: a batch written and checked in stays so even if it cannot be noted.
    }
  };
  try {
    const configured = options.folder ?? (await readSettings(options.db)).syncFolder;
    if (configured.trim() === '') {
      throw new SyncError('NO_FOLDER', 'No sync folder is set. Choose one in the settings (Sync folder), or pass --to FOLDER to npm run sync:export.');
    }
    result.folder = path.resolve(configured);
    await run(options.db, result, maxChanges, options.job);
    log(result.changes > 0 ? 'exported' : 'nothing-to-export', null);
    return result;
  } catch (err) {
    const error = folderError(err, result.folder || String(options.folder ?? ''));
    log('failed', error);
    throw error;
  } finally {
    release();
  }
}

async function run(db: Db, result: ExportResult, maxChanges: number, job: SyncProgress | undefined): Promise<void> {
  const folder = result.folder;
  const stat = await fs.stat(folder);
  if (!stat.isDirectory()) throw new SyncError('FOLDER_MISSING', `The sync folder ${folder} is a file, not a folder. Choose a folder in the settings.`);
  const deviceId = await ensureDeviceId(db);
  result.deviceId = deviceId;
  await removeLeftovers(folder, deviceId);

  let checkpoint = await readCheckpoint(db);
  const total = Math.max(0, (await lastSeq(db)) - checkpoint);
  job?.progress(0, total, total === 0 ? 'Nothing to export' : `${total} changes to export`);
  for (;;) {
    const newest = await lastSeq(db);
    if (newest <= checkpoint) break;
    let upTo = Math.min(newest, checkpoint + maxChanges);
    // A complete batch an earlier run wrote but did not check in fixes this batch's range.
    const earlier = await batchStartingAt(folder, deviceId, checkpoint + 1);
    if (earlier) {
      if (earlier.toSeq > newest) {
        throw new SyncError(
          'CONFLICT',
          `The sync folder ${folder} holds ${earlier.name}, with changes up to seq ${earlier.toSeq}, but this database's change log ends at ${newest}. ` +
            'Was the database restored from an older backup? Move the batches this database does not have out of the folder, after checking the receiver has them.',
        );
      }
      upTo = earlier.toSeq;
    }
    const from = checkpoint;
    const temp = path.join(folder, `${TEMP_PREFIX}${batchName(deviceId, from + 1, upTo)}-${process.pid}-${randomBytes(4).toString('hex')}`);
    const written = await writeBatch(folder, temp, (dir) =>
      streamBatch(db, dir, deviceId, from, upTo, { onPass: (n) => job?.progress(result.changes + n, total, `Writing changes ${from + 1}–${upTo}`) }),
    );
    if (!written) break;
    const { batch, alreadyPresent } = written;
    await moveCheckpoint(db, checkpoint, batch);
    crashPoint('after-checkpoint');

    const { fromSeq, toSeq, counts } = batch.manifest;
    checkpoint = toSeq;
    result.batches.push({ name: batch.name, fromSeq, toSeq, counts, alreadyPresent });
    result.fromSeq ??= fromSeq;
    result.toSeq = toSeq;
    result.changes += toSeq - fromSeq + 1;
    for (const [entity, n] of Object.entries(counts)) result.counts[entity] = (result.counts[entity] ?? 0) + n;
    job?.progress(
      result.changes,
      Math.max(total, result.changes),
      `Exported ${result.changes} changes in ${result.batches.length} batch${result.batches.length === 1 ? '' : 'es'}`,
    );
  }
}

async function lastSeq(db: Executor): Promise<number> {
  const row = (await db('change_log').max({ m: 'seq' }).first()) as { m: number | null } | undefined;
  return Number(row?.m ?? 0);
}

/** This device's batch in the folder that starts at `fromSeq`, if any. */
async function batchStartingAt(folder: string, deviceId: string, fromSeq: number): Promise<{ name: string; toSeq: number } | null> {
  const found = (await fs.readdir(folder))
    .map((name) => ({ name, parsed: parseBatchName(name) }))
    .filter((e) => e.parsed?.deviceId === deviceId && e.parsed.fromSeq === fromSeq)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const first = found[0];
  return first?.parsed ? { name: first.name, toSeq: first.parsed.toSeq } : null;
}

/** Removes this device's temporary folders whose writer is gone (a crash, a kill, a failed write). */
async function removeLeftovers(folder: string, deviceId: string): Promise<void> {
  const prefix = `${TEMP_PREFIX}certdesk-${deviceId}-`;
  for (const name of await fs.readdir(folder)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/-(\d+)-[0-9a-f]+$/.exec(name)?.[1] ?? 0);
    if (pid !== process.pid && pid > 0 && processAlive(pid)) continue;
    await fs.rm(path.join(folder, name), { recursive: true, force: true });
  }
}

/**
 * fsync of a folder makes a rename or a new entry in it durable. Windows cannot
 * open folders (and journals them itself); some network and FUSE file systems
 * refuse to fsync a folder: there the rename is as durable as that system makes it.
 */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR' && code !== 'EBADF') throw err;
  } finally {
    await handle.close();
  }
}

/** Makes a file's written bytes durable. */
async function syncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a batch into the new folder `temp` (`produce`, from the change log),
 * then puts it under its final name, durably; null when there was nothing to
 * write. `alreadyPresent`: an identical batch was already there (the one just
 * written is removed).
 */
async function writeBatch(
  folder: string,
  temp: string,
  produce: (dir: string) => Promise<StreamedBatch | null>,
): Promise<{ batch: StreamedBatch; alreadyPresent: boolean } | null> {
  await fs.mkdir(temp);
  let batch: StreamedBatch | null;
  try {
    batch = await produce(temp);
    if (!batch) {
      await fs.rm(temp, { recursive: true, force: true });
      return null;
    }
    const final = path.join(folder, batch.name);
    if (await exists(final)) {
      await fs.rm(temp, { recursive: true, force: true });
      await checkExisting(folder, final, batch);
      return { batch, alreadyPresent: true };
    }
    crashPoint('after-temp-write');
    for (const file of batch.files) await syncFile(file);
    await syncDir(temp);
    crashPoint('after-fsync');
    try {
      await fs.rename(temp, final);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      // Another writer put it there first: the same checks as at the start.
      await fs.rm(temp, { recursive: true, force: true });
      await checkExisting(folder, final, batch);
      return { batch, alreadyPresent: true };
    }
  } catch (err) {
    await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
  crashPoint('after-rename');
  await syncDir(folder);
  crashPoint('before-checkpoint');
  return { batch, alreadyPresent: false };
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** A batch already under the final name is kept only if it verifies and holds exactly these changes. */
async function checkExisting(folder: string, final: string, batch: Pick<StreamedBatch, 'name' | 'manifest'>): Promise<void> {
  const existing = await readBatch(final);
  if (existing.problems.length > 0) {
    const more = existing.problems.length > 1 ? ` (and ${existing.problems.length - 1} more problems)` : '';
    throw new SyncError(
      'CONFLICT',
      `The sync folder ${folder} already holds ${batch.name}, but it does not verify: ${existing.problems[0] ?? ''}${more}. ` +
        'Move it out of the folder; the next export writes it again.',
    );
  }
  if (existing.manifest?.manifestSha256 !== batch.manifest.manifestSha256) {
    throw new SyncError(
      'CONFLICT',
      `The sync folder ${folder} already holds ${batch.name} with other changes for the same range than this database has. ` +
        'Was the database restored from an older backup, or copied to a second computer? Resolve this with the central team before exporting again.',
    );
  }
}

/**
 * Moves the checkpoint past the batch and marks the outbox rows it carries as
 * handed over, in one transaction. Marking the outbox is bookkeeping of the
 * export itself and deliberately writes no change-log entry (an entry would
 * be exported, marked again, and so on for ever); receivers apply the same
 * rule when they load an outbox change (docs/sync-batch-format.md).
 */
async function moveCheckpoint(db: Db, expected: number, batch: Pick<StreamedBatch, 'name' | 'manifest'>): Promise<void> {
  const { fromSeq, toSeq } = batch.manifest;
  await db.transaction(async (trx) => {
    const current = await readCheckpoint(trx);
    if (current !== expected) {
      throw new SyncError(
        'CONFLICT',
        `The sync checkpoint moved from ${expected} to ${current} while this export was writing; the batch ${batch.name} is in the folder and the next export goes on from there.`,
      );
    }
    await writeCheckpoint(trx, toSeq);
    // One statement for the whole batch: each outbox row the batch carries takes the seq of its
    // last change in it (a correlated lookup per row took minutes at 100k changes).
    await trx.raw(
      'UPDATE outbox SET exported_seq = last.seq, state = CASE WHEN outbox.state = ? THEN ? ELSE outbox.state END ' +
        'FROM (SELECT entity_id AS id, max(seq) AS seq FROM change_log WHERE entity = ? AND seq BETWEEN ? AND ? GROUP BY entity_id) AS last ' +
        'WHERE outbox.id = last.id',
      ['queued', 'exported', 'outbox', fromSeq, toSeq],
    );
  });
}
