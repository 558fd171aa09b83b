/**
 * The sync batch format, version 1 (docs/sync-batch-format.md): pure functions
 * from change-log entries to the exact bytes of a batch, and back. No file
 * system, no database: the same entries always give the same bytes.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Entity } from '../services/changelog';

export const FORMAT_VERSION = 1;

/** The entities of the desktop's change log, in the order a receiver applies them (parents first). */
export const ENTITIES = ['contact', 'program', 'component', 'record', 'progress', 'history', 'outbox', 'activity'] as const satisfies readonly Entity[];

export const MANIFEST_FILE = 'manifest.json';
/** Folders an export is still writing (or was writing when it died) start with this. */
export const TEMP_PREFIX = '.tmp-';
export const SEQ_DIGITS = 12;
export const MAX_SEQ = 10 ** SEQ_DIGITS - 1;

/** A future desktop may log more entities; their names stay file-name safe. */
const ENTITY_NAME = /^[a-z][a-z_]{0,39}$/;
const DEVICE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BATCH_NAME = /^certdesk-([0-9a-f-]{36})-(\d{12})-(\d{12})$/;
const DATA_FILE = /^changes-([a-z][a-z_]{0,39})\.jsonl$/;

export type ChangeOp = 'insert' | 'update';

/** One line of a data file. `data` is the whole desktop row after the change. */
export interface BatchChange {
  seq: number;
  entity: string;
  id: number;
  op: ChangeOp;
  at: string;
  data: Record<string, unknown>;
}

/** A change-log row as SQLite returns it. */
export interface ChangeLogRow {
  seq: number;
  entity: string;
  entity_id: number;
  op: string;
  data: string;
  at: string;
}

export const ManifestSchema = z.object({
  formatVersion: z.number().int(),
  deviceId: z.string().regex(DEVICE_ID, 'deviceId must be a lowercase UUID'),
  fromSeq: z.number().int().min(1).max(MAX_SEQ),
  toSeq: z.number().int().min(1).max(MAX_SEQ),
  createdAt: z.string().min(1),
  counts: z.record(z.string().regex(ENTITY_NAME), z.number().int().min(0)),
  files: z.array(
    z.object({
      name: z.string().regex(DATA_FILE, 'file names are changes-<entity>.jsonl'),
      bytes: z.number().int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
    }),
  ),
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/, 'manifestSha256 must be 64 lowercase hex digits'),
});

export type Manifest = z.infer<typeof ManifestSchema>;

export interface BatchFile {
  name: string;
  content: Buffer;
}

/** Everything of one batch, as bytes: the data files and the manifest, ready to write. */
export interface BuiltBatch {
  name: string;
  manifest: Manifest;
  files: BatchFile[];
  manifestBytes: Buffer;
}

export function isDeviceId(value: string): boolean {
  return DEVICE_ID.test(value);
}

export function isEntityName(value: string): boolean {
  return ENTITY_NAME.test(value);
}

function pad(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1 || seq > MAX_SEQ) throw new RangeError(`Sequence number ${seq} is outside 1–${MAX_SEQ}.`);
  return String(seq).padStart(SEQ_DIGITS, '0');
}

/** `certdesk-<deviceId>-<fromSeq, 12 digits>-<toSeq, 12 digits>`: sorts by range within a device. */
export function batchName(deviceId: string, fromSeq: number, toSeq: number): string {
  return `certdesk-${deviceId}-${pad(fromSeq)}-${pad(toSeq)}`;
}

export function parseBatchName(name: string): { deviceId: string; fromSeq: number; toSeq: number } | null {
  const m = BATCH_NAME.exec(name);
  if (!m?.[1] || !m[2] || !m[3] || !DEVICE_ID.test(m[1])) return null;
  return { deviceId: m[1], fromSeq: Number(m[2]), toSeq: Number(m[3]) };
}

export function dataFileName(entity: string): string {
  return `changes-${entity}.jsonl`;
}

export function entityOfDataFile(name: string): string | null {
  return DATA_FILE.exec(name)?.[1] ?? null;
}

export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** JSON with object keys sorted (by UTF-16 code units), no whitespace. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** SHA-256 of the canonical JSON of the manifest without its `manifestSha256` field. */
export function manifestChecksum(manifest: Record<string, unknown>): string {
  const rest: Record<string, unknown> = { ...manifest };
  delete rest.manifestSha256;
  return sha256Hex(Buffer.from(canonicalJson(rest), 'utf8'));
}

/** The manifest file's bytes: canonical key order, two-space indent, final newline. */
export function manifestBytes(manifest: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(sortKeys(manifest), null, 2)}\n`, 'utf8');
}

/**
 * JSON.stringify, with U+2028 and U+2029 escaped: they are legal in JSON text
 * but some line readers (Python's splitlines) split on them.
 */
function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(/[\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16)}`);
}

/** One data-file line (without its newline): fixed key order, `data` as the desktop logged it. */
export function changeLine(change: BatchChange): string {
  return jsonLine({ seq: change.seq, entity: change.entity, id: change.id, op: change.op, at: change.at, data: change.data });
}

/** A change-log row as a batch change; throws on a row no receiver could read. */
export function changeFromLog(row: ChangeLogRow): BatchChange {
  if (!isEntityName(row.entity)) throw new Error(`Change ${row.seq} has an entity name the batch format cannot carry: ${JSON.stringify(row.entity)}.`);
  if (row.op !== 'insert' && row.op !== 'update') throw new Error(`Change ${row.seq} has an unknown operation ${JSON.stringify(row.op)}.`);
  const data = JSON.parse(row.data) as unknown;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error(`Change ${row.seq} does not hold a row object.`);
  return { seq: row.seq, entity: row.entity, id: row.entity_id, op: row.op, at: row.at, data: data as Record<string, unknown> };
}

/** Counts with every known entity present (0 where none), plus any other entity the changes name. */
export function countByEntity(changes: readonly BatchChange[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(ENTITIES.map((e) => [e, 0]));
  for (const c of changes) counts[c.entity] = (counts[c.entity] ?? 0) + 1;
  return counts;
}

/**
 * Builds a batch from contiguous changes (ascending seq, no gaps). The bytes
 * depend only on the device id and the changes: `createdAt` is the time of the
 * last change, not the wall clock, so exporting the same range again gives
 * the same batch.
 */
export function buildBatch(deviceId: string, changes: readonly BatchChange[]): BuiltBatch {
  if (!isDeviceId(deviceId)) throw new Error(`Device id ${JSON.stringify(deviceId)} is not a lowercase UUID.`);
  const first = changes[0];
  const last = changes[changes.length - 1];
  if (!first || !last) throw new Error('A batch holds at least one change.');
  changes.forEach((c, i) => {
    if (c.seq !== first.seq + i) throw new Error(`Changes must be contiguous: expected seq ${first.seq + i}, found ${c.seq}.`);
  });

  const byEntity = new Map<string, string[]>();
  for (const c of changes) {
    const lines = byEntity.get(c.entity) ?? [];
    lines.push(changeLine(c));
    byEntity.set(c.entity, lines);
  }
  const files: BatchFile[] = [...byEntity.keys()]
    .sort()
    .map((entity) => ({ name: dataFileName(entity), content: Buffer.from(`${(byEntity.get(entity) ?? []).join('\n')}\n`, 'utf8') }));

  const manifest = batchManifest(
    deviceId,
    first,
    last,
    countByEntity(changes),
    files.map((f) => ({ name: f.name, bytes: f.content.length, sha256: sha256Hex(f.content) })),
  );
  return { name: batchName(deviceId, first.seq, last.seq), manifest, files, manifestBytes: manifestBytes(manifest) };
}

/**
 * The manifest of the batch from `first` to `last` (contiguous changes) whose data files are `files`
 * (sorted by name): `createdAt` is the time of the last change, so the same range gives the same manifest.
 */
export function batchManifest(
  deviceId: string,
  first: Pick<BatchChange, 'seq'>,
  last: Pick<BatchChange, 'seq' | 'at'>,
  counts: Record<string, number>,
  files: Manifest['files'],
): Manifest {
  const withoutSum = { formatVersion: FORMAT_VERSION, deviceId, fromSeq: first.seq, toSeq: last.seq, createdAt: last.at, counts, files };
  return { ...withoutSum, manifestSha256: manifestChecksum(withoutSum) };
}

/** Parses one data-file line; answers what is wrong instead of throwing. */
export function parseChangeLine(line: string): { change: BatchChange } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: 'is not JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'is not a JSON object' };
  const v = value as Record<string, unknown>;
  if (!Number.isSafeInteger(v.seq) || (v.seq as number) < 1) return { error: 'has no valid "seq" (a positive integer)' };
  if (typeof v.entity !== 'string' || !isEntityName(v.entity)) return { error: 'has no valid "entity"' };
  if (!Number.isSafeInteger(v.id)) return { error: 'has no valid "id" (an integer)' };
  if (v.op !== 'insert' && v.op !== 'update') return { error: `has an unknown "op" ${JSON.stringify(v.op)}` };
  if (typeof v.at !== 'string' || v.at === '') return { error: 'has no "at" timestamp' };
  if (v.data === null || typeof v.data !== 'object' || Array.isArray(v.data)) return { error: 'has no "data" object' };
  const data = v.data as Record<string, unknown>;
  if (data.id !== undefined && data.id !== v.id) return { error: `has data.id ${JSON.stringify(data.id)} different from id ${String(v.id)}` };
  return { change: { seq: v.seq as number, entity: v.entity, id: v.id as number, op: v.op, at: v.at, data } };
}
