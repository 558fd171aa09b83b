/**
 * Where the export keeps its place: two rows of the `settings` table, outside
 * the settings schema (readSettings ignores keys it does not know). Both live
 * in the database itself, so a copy of the database carries its own stream.
 *
 * - `deviceId`: a random UUID made on the first export; it names this
 *   database's change stream at the receiver.
 * - `syncCheckpoint`: the highest change-log seq written into a durable batch.
 */
import { randomUUID } from 'node:crypto';
import type { Executor } from '../services/context';
import { isDeviceId } from './format';

export const DEVICE_ID_KEY = 'deviceId';
export const CHECKPOINT_KEY = 'syncCheckpoint';

async function readKey(db: Executor, key: string): Promise<unknown> {
  const row = await db('settings').where({ key }).first<{ value: string } | undefined>('value');
  return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
}

export async function readDeviceId(db: Executor): Promise<string | null> {
  const value = await readKey(db, DEVICE_ID_KEY);
  return typeof value === 'string' && isDeviceId(value) ? value : null;
}

/** The device id, made (once, race-free) if this database has none yet. */
export async function ensureDeviceId(db: Executor): Promise<string> {
  const existing = await readDeviceId(db);
  if (existing) return existing;
  await db('settings')
    .insert({ key: DEVICE_ID_KEY, value: JSON.stringify(randomUUID()) })
    .onConflict('key')
    .ignore();
  const made = await readDeviceId(db);
  if (!made) throw new Error('The settings row deviceId holds something that is not a UUID; remove it to let CertDesk make a new one.');
  return made;
}

/** The last exported seq (0: nothing exported yet). */
export async function readCheckpoint(db: Executor): Promise<number> {
  const value = await readKey(db, CHECKPOINT_KEY);
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`The sync checkpoint holds ${JSON.stringify(value)}, not a sequence number.`);
  }
  return value;
}

/**
 * Sets the checkpoint. The export calls this inside its own transaction; an
 * admin may call it to export again from an earlier point (receivers skip what
 * they already hold).
 */
export async function writeCheckpoint(db: Executor, seq: number): Promise<void> {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`A checkpoint is a sequence number ≥ 0, not ${seq}.`);
  await db('settings')
    .insert({ key: CHECKPOINT_KEY, value: JSON.stringify(seq) })
    .onConflict('key')
    .merge();
}

export interface SyncState {
  deviceId: string | null;
  checkpoint: number;
  /** Highest seq in the change log. */
  lastSeq: number;
  /** Changes waiting for the next export. */
  pending: number;
}

export async function readSyncState(db: Executor): Promise<SyncState> {
  const checkpoint = await readCheckpoint(db);
  const row = (await db('change_log').max({ m: 'seq' }).first()) as { m: number | null } | undefined;
  const lastSeq = Number(row?.m ?? 0);
  return { deviceId: await readDeviceId(db), checkpoint, lastSeq, pending: Math.max(0, lastSeq - checkpoint) };
}
