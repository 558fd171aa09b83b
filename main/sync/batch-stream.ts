/**
 * Writes one batch's files from the change log in passes: a few thousand
 * changes are read, turned into lines (format.ts) and appended to their data
 * files, and their checksums are carried on, before the next pass is read. A
 * batch of 100,000 changes is then never held in memory whole, and the main
 * thread is busy for one pass at a time (the app's calls are answered between
 * passes). The bytes are exactly those of `buildBatch` for the same changes.
 */
import { createHash, type Hash } from 'node:crypto';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Executor } from '../services/context';
import {
  batchManifest,
  batchName,
  changeFromLog,
  changeLine,
  countByEntity,
  dataFileName,
  MANIFEST_FILE,
  manifestBytes,
  type ChangeLogRow,
  type Manifest,
} from './format';

/**
 * Changes per pass: a pass costs the main thread a few milliseconds. 1,000 held it
 * 50–180 ms on a busy machine (turning the rows into objects, then lines, bytes and
 * checksums); 250 keeps each stretch under the list's p95.
 */
export const PASS_CHANGES = 250;

export interface StreamedBatch {
  name: string;
  manifest: Manifest;
  /** Every file written into the folder (data files, then the manifest). */
  files: string[];
}

interface DataFile {
  handle: FileHandle;
  hash: Hash;
  bytes: number;
}

/**
 * Writes the batch of the changes after `after` up to `upTo` into the empty folder `dir` (files
 * created, written and closed, not yet fsynced); null when the change log holds none of them.
 * Throws when the change log has a gap, as a batch must be contiguous.
 */
export async function streamBatch(
  db: Executor,
  dir: string,
  deviceId: string,
  after: number,
  upTo: number,
  { onPass, passChanges = PASS_CHANGES }: { onPass?: (written: number) => void; passChanges?: number } = {},
): Promise<StreamedBatch | null> {
  const files = new Map<string, DataFile>();
  const counts = countByEntity([]);
  let last: { seq: number; at: string } | null = null;
  let cursor = after;
  try {
    while (cursor < upTo) {
      const rows = await db('change_log')
        .where('seq', '>', cursor)
        .where('seq', '<=', upTo)
        .orderBy('seq')
        .limit(passChanges)
        .select<ChangeLogRow[]>('seq', 'entity', 'entity_id', 'op', 'data', 'at');
      if (rows.length === 0) break;
      // The rows were turned into objects on the main thread: let waiting calls in before formatting them.
      await nextTurn();
      const lines = new Map<string, string[]>();
      for (const row of rows) {
        if (row.seq !== cursor + 1) throw new Error(`The change log has no seq ${cursor + 1} (found ${row.seq}); it cannot be exported contiguously.`);
        const change = changeFromLog(row);
        const entityLines = lines.get(change.entity) ?? [];
        entityLines.push(changeLine(change));
        lines.set(change.entity, entityLines);
        counts[change.entity] = (counts[change.entity] ?? 0) + 1;
        cursor = row.seq;
        last = { seq: row.seq, at: row.at };
      }
      for (const [entity, entityLines] of lines) {
        let file = files.get(entity);
        if (!file) {
          file = { handle: await fs.open(path.join(dir, dataFileName(entity)), 'wx'), hash: createHash('sha256'), bytes: 0 };
          files.set(entity, file);
        }
        // Each line with its newline: the file ends with one, as buildBatch writes it.
        const chunk = Buffer.from(`${entityLines.join('\n')}\n`, 'utf8');
        file.hash.update(chunk);
        file.bytes += chunk.length;
        await file.handle.write(chunk);
      }
      onPass?.(cursor - after);
    }
  } finally {
    for (const file of files.values()) await file.handle.close().catch(() => undefined);
  }
  if (!last) return null;

  const names = [...files.keys()].sort();
  const manifest = batchManifest(
    deviceId,
    { seq: after + 1 },
    last,
    counts,
    names.map((entity) => {
      const file = files.get(entity) as DataFile;
      return { name: dataFileName(entity), bytes: file.bytes, sha256: file.hash.digest('hex') };
    }),
  );
  const manifestFile = path.join(dir, MANIFEST_FILE);
  await fs.writeFile(manifestFile, manifestBytes(manifest), { flag: 'wx' });
  return { name: batchName(deviceId, after + 1, last.seq), manifest, files: [...names.map((e) => path.join(dir, dataFileName(e))), manifestFile] };
}
