/**
 * One bad value never blocks every later batch (RELIABILITY.md promise 8).
 * A database written before the text rule can hold a NUL in a name, which
 * PostgreSQL cannot store. The verifier names the change and what to correct;
 * the receiver holds back only that change, loads the rest of its batch and
 * every later batch, and the corrected row arrives with the next export.
 */
import fs from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logStoredRows } from '../../../main/services/changelog';
import { nameKey } from '../../../main/domain/contact';
import { createContact } from '../../../main/services/contacts';
import { exportChanges } from '../../../main/sync/export';
import { HELD_TABLE, loadIntoPostgres } from '../../../main/sync/load-pg';
import { readDeviceId } from '../../../main/sync/state';
import { verifyFolder } from '../../../main/sync/verify';
import { freshDb, removeDir, tempDir, type TestDb } from '../support';
import { findPgBin, startPg, type PgServer } from './pg-server';

const found = findPgBin();
if (!('bin' in found)) console.log(`SKIPPED held changes in PostgreSQL: ${found.reason}`);

describe.skipIf(!('bin' in found))('a value PostgreSQL cannot store', () => {
  let server: PgServer;
  let pg: Knex;
  let t: TestDb;
  let out: string;

  beforeAll(async () => {
    if (!('bin' in found)) return;
    server = await startPg(found.bin);
    pg = knexFactory({ client: 'pg', connection: server.url, pool: { min: 0, max: 1 } });
    t = await freshDb();
    out = tempDir('certdesk-held-');
  });
  afterAll(async () => {
    await pg?.destroy();
    server?.stop();
    await t?.dispose();
    if (out) removeDir(out);
  });

  it('is held back and named; the rest of its batch and every later batch load; the correction resolves it', async () => {
    // Written before the text rule (services do not check text; the IPC door does now).
    const eve = await createContact(t.ctx, { firstName: 'Eve\u0000', lastName: 'Adams', email: 'eve@example.org' });
    const ada = await createContact(t.ctx, { firstName: 'Ada', lastName: 'Lovelace' });
    await exportChanges({ db: t.db, dataDir: t.dir, folder: out });
    const grace = await createContact(t.ctx, { firstName: 'Grace', lastName: 'Hopper' });
    await exportChanges({ db: t.db, dataDir: t.dir, folder: out });
    const heldSeq = Number(((await t.db('change_log').where({ entity: 'contact', entity_id: eve.id }).first('seq')) as { seq: number }).seq);

    const verified = await verifyFolder(out);
    expect(verified.ok).toBe(true);
    expect(verified.warnings.map((w) => w.message)).toContain(
      `seq ${heldSeq}, contact ${eve.id}: first name holds a control character (U+0000); correct this contact's first name in CertDesk; the next export carries the fix.`,
    );

    const first = await loadIntoPostgres({ folder: out, pgUrl: server.url });
    expect(first.loaded).toBe(2);
    expect(first.held).toEqual([
      expect.objectContaining({
        seq: heldSeq,
        entity: 'contact',
        id: eve.id,
        problem: expect.stringContaining(`seq ${heldSeq}, contact ${eve.id}: first name holds a control character (U+0000)`) as unknown,
      }),
    ]);
    const deviceId = (await readDeviceId(t.db)) ?? '';
    const names = async (): Promise<string[]> =>
      ((await pg('contacts').where({ device_id: deviceId }).orderBy('id').select('first_name')) as Array<{ first_name: string }>).map((r) => r.first_name);
    expect(await names()).toEqual(['Ada', 'Grace']);
    expect(ada.id).toBeLessThan(grace.id);

    // Staff correct the name (contact editing logs the row as stored, like every write); the next batch carries it.
    await t.db.transaction(async (trx) => {
      await trx('contacts')
        .where({ id: eve.id })
        .update({ first_name: 'Eve', name_key: nameKey('Eve', 'Adams') });
      await logStoredRows(trx, 'contacts', 'contact', 'update', [eve.id], new Date().toISOString());
    });
    await exportChanges({ db: t.db, dataDir: t.dir, folder: out });
    const second = await loadIntoPostgres({ folder: out, pgUrl: server.url });
    expect(second).toMatchObject({ loaded: 1, skipped: 2, held: [] });
    expect(await names()).toEqual(['Eve', 'Ada', 'Grace']);
    const held = (await pg(HELD_TABLE).where({ device_id: deviceId }).select('seq', 'resolved_seq', 'change')) as Array<{
      seq: string;
      resolved_seq: string | null;
      change: string;
    }>;
    expect(held).toHaveLength(1);
    expect(Number(held[0]?.seq)).toBe(heldSeq);
    expect(held[0]?.resolved_seq).not.toBeNull();
    expect(JSON.parse(held[0]?.change ?? 'null')).toMatchObject({ seq: heldSeq, data: { first_name: 'Eve\u0000' } });
    expect(fs.readdirSync(out).length).toBe(3);
  });
});
