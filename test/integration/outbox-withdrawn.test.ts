/**
 * The outbox tells the truth (SPEC §6): a "Certification Expiring" email whose
 * record stops being Expiring before it is exported is withdrawn — kept,
 * marked, never handed over as sendable; once exported, a later withdrawal
 * travels as its own change. n 30 → 60 → 30 → 60 → 30 with records crossing
 * both ways, a date extension, a cancellation and a lapse, on a real database
 * file and a real sync folder.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../main/services/context';
import { listOutbox } from '../../main/services/outbox-list';
import { setExpiringDays } from '../../main/services/office-settings';
import { enroll, markAllComplete, overrideExpiration, setStatus } from '../../main/services/records';
import { runSweep } from '../../main/services/sweep';
import { exportChanges } from '../../main/sync/export';
import { readBatch } from '../../main/sync/verify';
import { batchNames } from './sync/helpers';
import { freshDb, makeContact, makeProgram, makeStaff, removeDir, tempDir, type TestDb } from './support';
import path from 'node:path';

let t: TestDb;
let staff: Actor;
let folder: string;
beforeEach(async () => {
  t = await freshDb(); // 2026-03-10 in New York, n = 30
  staff = await makeStaff(t.ctx, 'ria', 'Ria Staff', 'admin');
  folder = tempDir('certdesk-outbox-');
});
afterEach(async () => {
  await t.dispose();
  removeDir(folder);
});

async function granted(label: string, expiresOn: string): Promise<number> {
  const { program } = await makeProgram(t.ctx, { components: [], expiration: { kind: 'never' } });
  const contact = await makeContact(t.ctx, label);
  const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
  await markAllComplete(t.ctx, staff, { id: record.id, reason: 'Completed elsewhere' });
  await overrideExpiration(t.ctx, staff, { id: record.id, expiresOn, reason: 'Set for the test' });
  return record.id;
}

/** Each record's expiring emails as [state, expires_on], by record id. */
async function emails(): Promise<Record<number, Array<[string, string]>>> {
  const rows = (await t.db('outbox').orderBy('id').select('record_id', 'state', 'expires_on')) as Array<{
    record_id: number;
    state: string;
    expires_on: string;
  }>;
  const out: Record<number, Array<[string, string]>> = {};
  for (const r of rows) (out[r.record_id] ??= []).push([r.state, r.expires_on]);
  return out;
}

/** The outbox rows as the batches of the folder leave them at the receiver (last change wins; queued is handed over). */
async function atReceiver(): Promise<Map<number, string>> {
  const states = new Map<number, string>();
  for (const name of batchNames(folder)) {
    for (const c of (await readBatch(path.join(folder, name))).changes) {
      if (c.entity !== 'outbox') continue;
      const state = String(c.data.state);
      states.set(Number(c.data.record_id), state === 'queued' ? 'exported' : state);
    }
  }
  return states;
}

describe('the outbox tells the truth', () => {
  it('withdraws emails whose record stops being Expiring, queued or exported, and says so at the receiver', async () => {
    const soon = await granted('Soon', '2026-03-25'); // Expiring at n = 30
    const extended = await granted('Extended', '2026-03-30'); // Expiring; its date will be extended
    const cancelled = await granted('Cancelled', '2026-03-20'); // Expiring; will be cancelled
    const later = await granted('Later', '2026-04-30'); // Active at n = 30, Expiring at n = 60
    expect(await emails()).toEqual({
      [soon]: [['queued', '2026-03-25']],
      [extended]: [['queued', '2026-03-30']],
      [cancelled]: [['queued', '2026-03-20']],
    });
    await exportChanges({ db: t.db, dataDir: t.dir, folder });

    // n 30 → 60: "Later" enters Expiring. n 60 → 30: it leaves before any export: withdrawn, never handed over.
    await setExpiringDays(t.ctx, staff, 60);
    expect((await emails())[later]).toEqual([['queued', '2026-04-30']]);
    await setExpiringDays(t.ctx, staff, 30);
    expect((await emails())[later]).toEqual([['withdrawn', '2026-04-30']]);

    // After export: a date extended and a cancellation withdraw the exported emails, each as its own change.
    await overrideExpiration(t.ctx, staff, { id: extended, expiresOn: '2027-03-30', reason: 'Renewed by post' });
    await setStatus(t.ctx, staff, { id: cancelled, to: 'Cancelled', reason: 'Left the profession' });
    expect(await emails()).toMatchObject({
      [extended]: [['withdrawn', '2026-03-30']],
      [cancelled]: [['withdrawn', '2026-03-20']],
      [soon]: [['exported', '2026-03-25']],
    });
    const why = (await t.db('outbox').where({ record_id: extended }).first('withdrawn_reason', 'withdrawn_at')) as {
      withdrawn_reason: string;
      withdrawn_at: string;
    };
    expect(why.withdrawn_reason).toBe('The record is Active now');
    expect(why.withdrawn_at).not.toBeNull();

    // n 30 → 60 again: "Later" is Expiring on the same date again; its one email is queued again (never two).
    await setExpiringDays(t.ctx, staff, 60);
    expect((await emails())[later]).toEqual([['queued', '2026-04-30']]);
    await exportChanges({ db: t.db, dataDir: t.dir, folder });
    expect((await emails())[later]).toEqual([['exported', '2026-04-30']]);
    await setExpiringDays(t.ctx, staff, 30);
    expect((await emails())[later]).toEqual([['withdrawn', '2026-04-30']]);

    // A record that lapses on its date keeps its exported email: it was true when it was sent.
    t.clock.setDay('2026-03-26');
    await runSweep(t.ctx);
    expect((await t.db('records').where({ id: soon }).first('status')) as { status: string }).toEqual({ status: 'Expired' });
    expect((await emails())[soon]).toEqual([['exported', '2026-03-25']]);

    await exportChanges({ db: t.db, dataDir: t.dir, folder });
    expect(Object.fromEntries(await atReceiver())).toEqual({ [soon]: 'exported', [extended]: 'withdrawn', [cancelled]: 'withdrawn', [later]: 'withdrawn' });
    // The desktop never marks a withdrawn email exported.
    expect((await emails())[later]).toEqual([['withdrawn', '2026-04-30']]);

    const list = await listOutbox(t.db, { state: 'withdrawn' });
    expect(list.rows.map((r) => r.record_id).sort()).toEqual([extended, cancelled, later].sort());
    expect((await listOutbox(t.db, { state: 'exported' })).rows.map((r) => r.record_id)).toEqual([soon]);
  });

  it('withdraws a queued email whose record lapses before any export: the notice would come after the date', async () => {
    const lapsing = await granted('Lapsing', '2026-03-12');
    expect((await emails())[lapsing]).toEqual([['queued', '2026-03-12']]);
    t.clock.setDay('2026-03-13');
    await runSweep(t.ctx);
    expect((await emails())[lapsing]).toEqual([['withdrawn', '2026-03-12']]);
    expect(((await t.db('outbox').where({ record_id: lapsing }).first('withdrawn_reason')) as { withdrawn_reason: string }).withdrawn_reason).toBe(
      'The record is Expired now',
    );
    await exportChanges({ db: t.db, dataDir: t.dir, folder });
    expect(Object.fromEntries(await atReceiver())).toEqual({ [lapsing]: 'withdrawn' });
  });
});
