/**
 * The export writes a batch in passes (a few thousand changes at a time, so the
 * app keeps answering): the files must be exactly the bytes of the batch built
 * from all its changes at once, whatever the pass size; a gap in the change log
 * is refused, and an empty range writes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { streamBatch } from '../../../main/sync/batch-stream';
import { buildBatch, changeFromLog, MANIFEST_FILE, type ChangeLogRow } from '../../../main/sync/format';
import { ensureDeviceId } from '../../../main/sync/state';
import { freshDb, logSince, makeStaff, maxSeq, removeDir, tempDir, type TestDb } from '../support';
import { randomWorkload } from './helpers';

let t: TestDb;
let out: string;

beforeEach(async () => {
  t = await freshDb();
  out = tempDir('certdesk-stream-');
});
afterEach(async () => {
  await t.dispose();
  removeDir(out);
});

describe('a batch written in passes', () => {
  it('is byte for byte the batch built at once, for any pass size', { timeout: 120_000 }, async () => {
    await randomWorkload(t, await makeStaff(t.ctx, 'sam', 'Sam Staff'), { seed: 11, minChanges: 300 });
    const device = await ensureDeviceId(t.db);
    const max = await maxSeq(t.db);
    const after = 5;
    const whole = buildBatch(device, ((await logSince(t.db, after)) as unknown as ChangeLogRow[]).map(changeFromLog));
    const expected = new Map([...whole.files.map((f) => [f.name, f.content] as const), [MANIFEST_FILE, whole.manifestBytes] as const]);

    for (const passChanges of [7, 128, 100_000]) {
      const dir = path.join(out, `pass-${passChanges}`);
      fs.mkdirSync(dir);
      let passes = 0;
      const streamed = await streamBatch(t.db, dir, device, after, max, { passChanges, onPass: () => void passes++ });
      expect(streamed?.name).toBe(whole.name);
      expect(streamed?.manifest).toEqual(whole.manifest);
      expect(passes).toBe(Math.ceil((max - after) / passChanges));
      const written = new Map(fs.readdirSync(dir).map((name) => [name, fs.readFileSync(path.join(dir, name))] as const));
      expect(written).toEqual(expected);
    }
  });

  it('refuses a gap in the change log and writes nothing for an empty range', async () => {
    await randomWorkload(t, await makeStaff(t.ctx, 'sam', 'Sam Staff'), { seed: 12, minChanges: 40 });
    const device = await ensureDeviceId(t.db);
    const max = await maxSeq(t.db);
    expect(await streamBatch(t.db, out, device, max, max + 10)).toBeNull();
    expect(fs.readdirSync(out)).toEqual([]);

    await t.db.raw('PRAGMA foreign_keys = OFF');
    await t.db.raw('DROP TRIGGER IF EXISTS change_log_no_delete');
    const triggers = (await t.db('sqlite_master').where({ type: 'trigger', tbl_name: 'change_log' }).pluck('name')) as string[];
    for (const name of triggers) await t.db.raw(`DROP TRIGGER ${name}`);
    await t.db('change_log').where({ seq: 20 }).delete();
    await expect(streamBatch(t.db, out, device, 0, max, { passChanges: 7 })).rejects.toThrow('The change log has no seq 20 (found 21)');
  });
});
