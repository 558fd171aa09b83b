/**
 * Reading a folder of the central system's batches for import: every batch
 * verified against its manifest, batches already imported skipped, a gap or
 * this desktop's own batches refused, and the changes still to import picked
 * in seq order with the file and line each stands on.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Executor } from '../services/context';
import { dataFileName, MANIFEST_FILE, parseBatchName, type BatchChange } from '../sync/format';
import { readDeviceId } from '../sync/state';
import { readBatch, verifyFolder, type ReadBatch } from '../sync/verify';

/** Settings row: central device id → last seq imported from it. */
export const IMPORT_SEQS_KEY = 'centralImportSeqs';
/** Settings row: central component id → desktop component id. */
export const COMPONENT_IDS_KEY = 'centralComponentIds';

/** The entities this import takes, in the order they are applied (parents first; events last: batch-events.ts). */
export const IMPORTED_ENTITIES = ['contact', 'program', 'component', 'application', 'completion'] as const;
export type ImportedEntity = (typeof IMPORTED_ENTITIES)[number];

export interface BatchImportBatch {
  name: string;
  deviceId: string;
  fromSeq: number;
  toSeq: number;
  /** `import`: all of it is new; `partly-imported`: only changes after the last imported seq are taken; `already-imported`: skipped. */
  state: 'import' | 'partly-imported' | 'already-imported';
}

export interface Located {
  change: BatchChange;
  file: string;
  line: number;
}

export interface Collected {
  batches: BatchImportBatch[];
  /** The changes to import, in seq order per device. */
  changes: Located[];
  ignored: Record<string, number>;
  problems: string[];
  warnings: string[];
  /** Device → the seq this import brings it to. */
  seqs: Record<string, number>;
  /** The settings this was decided against: the apply refuses when they moved meanwhile. */
  basis: string;
}

function jsonMap(value: string | undefined): Record<string, number> {
  if (value === undefined) return {};
  const parsed = JSON.parse(value) as unknown;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (typeof v === 'number' && Number.isSafeInteger(v)) out[k] = v;
  return out;
}

export async function readMap(db: Executor, key: string): Promise<Record<string, number>> {
  const row = await db('settings').where({ key }).first<{ value: string } | undefined>('value');
  return jsonMap(row?.value);
}

export async function writeMap(db: Executor, key: string, map: Record<string, number>): Promise<void> {
  await db('settings')
    .insert({ key, value: JSON.stringify(map) })
    .onConflict('key')
    .merge();
}

/** The device id and the import checkpoints, as one comparable string. */
export async function basisOf(db: Executor): Promise<string> {
  return JSON.stringify([await readDeviceId(db), await readMap(db, IMPORT_SEQS_KEY)]);
}

async function isDirectory(p: string): Promise<boolean | null> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Verifies the batches of `folder` (a folder of batches, or one batch folder) and picks the changes not yet imported. */
export async function collect(db: Executor, folder: string): Promise<Collected> {
  const out: Collected = { batches: [], changes: [], ignored: {}, problems: [], warnings: [], seqs: {}, basis: await basisOf(db) };
  const kind = await isDirectory(folder);
  if (kind === null) return { ...out, problems: [`${folder} does not exist.`] };
  if (!kind) return { ...out, problems: [`${folder} is not a folder.`] };

  let names: string[];
  let parent: string;
  if ((await isDirectory(path.join(folder, MANIFEST_FILE))) === false) {
    // One batch folder.
    parent = path.dirname(folder);
    names = [path.basename(folder)];
  } else {
    parent = folder;
    const report = await verifyFolder(folder);
    for (const p of report.problems) out.problems.push(p.batch ? `${p.batch}: ${p.message}` : p.message);
    // Where a device's batches start matters only against what was imported before: said below.
    for (const w of report.warnings) if (!w.message.includes('earliest batch here starts')) out.warnings.push(w.batch ? `${w.batch}: ${w.message}` : w.message);
    if (out.problems.length > 0) return out;
    names = report.batches.map((b) => b.name);
    if (names.length === 0) {
      out.problems.push(`${folder} holds no batches (folders named certdesk-<deviceId>-<fromSeq>-<toSeq>).`);
      return out;
    }
  }

  const ownDevice = await readDeviceId(db);
  const imported = await readMap(db, IMPORT_SEQS_KEY);
  const parsedNames = names.map((name) => ({ name, parsed: parseBatchName(name) }));
  const byDevice = new Map<string, Array<{ name: string; fromSeq: number; toSeq: number }>>();
  for (const { name, parsed } of parsedNames) {
    if (!parsed) {
      out.problems.push(`${name}: the folder name is not certdesk-<deviceId>-<fromSeq, 12 digits>-<toSeq, 12 digits>.`);
      continue;
    }
    if (parsed.deviceId === ownDevice) {
      out.problems.push(`${name}: this batch was exported by this desktop itself (device ${parsed.deviceId}); import batches from the central system only.`);
      continue;
    }
    byDevice.set(parsed.deviceId, [...(byDevice.get(parsed.deviceId) ?? []), { name, ...parsed }]);
  }
  if (out.problems.length > 0) return out;

  for (const [deviceId, list] of byDevice) {
    list.sort((a, b) => a.fromSeq - b.fromSeq);
    let last = imported[deviceId] ?? 0;
    const first = list[0];
    if (last === 0 && first && first.fromSeq > 1) {
      out.warnings.push(`Device ${deviceId}: nothing was imported from it before, and the earliest batch here starts at seq ${first.fromSeq}.`);
    }
    for (const b of list) {
      if (b.toSeq <= last) {
        out.batches.push({ name: b.name, deviceId, fromSeq: b.fromSeq, toSeq: b.toSeq, state: 'already-imported' });
        continue;
      }
      if (last > 0 && b.fromSeq > last + 1) {
        out.problems.push(
          `${b.name}: changes ${last + 1}–${b.fromSeq - 1} of device ${deviceId} were never imported and are not in this folder; import the batches holding them first.`,
        );
        break;
      }
      const batch: ReadBatch = await readBatch(path.join(parent, b.name));
      if (batch.problems.length > 0) {
        for (const p of batch.problems) out.problems.push(`${b.name}: ${p}`);
        continue;
      }
      out.batches.push({ name: b.name, deviceId, fromSeq: b.fromSeq, toSeq: b.toSeq, state: b.fromSeq <= last ? 'partly-imported' : 'import' });
      const lineOf = new Map<string, number>();
      for (const change of batch.changes) {
        // Lines ascend by seq within a file (verified), so the n-th change of an entity is on line n.
        const line = (lineOf.get(change.entity) ?? 0) + 1;
        lineOf.set(change.entity, line);
        if (change.seq <= last) continue;
        if ((IMPORTED_ENTITIES as readonly string[]).includes(change.entity)) {
          out.changes.push({ change, file: `${b.name}/${dataFileName(change.entity)}`, line });
        } else {
          out.ignored[change.entity] = (out.ignored[change.entity] ?? 0) + 1;
        }
      }
      last = b.toSeq;
    }
    out.seqs[deviceId] = last;
  }
  return out;
}

/** The last change of each row of `entity`, in the order of those last changes. */
export function latest(changes: readonly Located[], entity: ImportedEntity): Located[] {
  const byId = new Map<number, Located>();
  for (const c of changes) if (c.change.entity === entity) byId.set(c.change.id, c);
  return [...byId.values()].sort((a, b) => a.change.seq - b.change.seq);
}
