/**
 * The Tracking list's search box finds contacts by any words of their name,
 * in any order, case-folded beyond ASCII. The list keeps the total of a filtered list while nothing is
 * written (paging and re-sorting do not recount); any write — through the
 * services, in a rolled-back transaction, or from another connection to the
 * file — makes the next page count again, so staff never see a stale total.
 */
import sqlite3 from 'sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../main/services/context';
import { enroll, setStatus } from '../../main/services/records';
import { listTracking, type TrackingQuery } from '../../main/services/tracking';
import { freshDb, makeContact, makeProgram, type TestDb } from './support';

const TODAY = '2026-03-10';

let t: TestDb;
let recordIds: number[];

const onHold = (page = 1): TrackingQuery => ({
  quick: { kind: 'all' },
  filter: { combinator: 'and', rules: [{ field: 'status', operator: '=', value: 'In Progress' }] },
  today: TODAY,
  sort: { column: 'contactName', direction: 'asc' },
  page,
  pageSize: 2,
});

beforeEach(async () => {
  t = await freshDb();
  const { program } = await makeProgram(t.ctx, { requireApproval: false });
  recordIds = [];
  for (const name of ['Abara', 'Berg', 'Chen', 'Dubois', 'Ångström']) {
    const contact = await makeContact(t.ctx, name);
    recordIds.push((await enroll(t.ctx, SYSTEM, { contactId: contact.id, programId: program.id, source: 'back-office' })).id);
  }
});

afterEach(async () => {
  await t.dispose();
});

describe('the total of a filtered list', () => {
  it('is the same on every page, and follows a status change at once', async () => {
    expect((await listTracking(t.db, onHold(1))).total).toBe(5);
    expect((await listTracking(t.db, onHold(2))).total).toBe(5);
    const past = await listTracking(t.db, onHold(9));
    expect(past).toEqual({ rows: [], total: 5 });

    await setStatus(t.ctx, SYSTEM, { id: recordIds[0] as number, to: 'Inactive', reason: 'On leave' });
    const after = await listTracking(t.db, onHold(1));
    expect(after.total).toBe(4);
    expect(after.rows.map((r) => r.id)).not.toContain(recordIds[0]);
    expect((await listTracking(t.db, onHold(9))).total).toBe(4);
  });

  it('is counted again after a write from another connection to the same file', async () => {
    expect((await listTracking(t.db, onHold(1))).total).toBe(5);
    await new Promise<void>((resolve, reject) => {
      const other = new sqlite3.Database(t.file, (openError) => {
        if (openError) return reject(openError);
        other.run("UPDATE records SET status = 'Inactive' WHERE id = ?", [recordIds[1]], (err) => {
          other.close(() => (err ? reject(err) : resolve()));
        });
      });
    });
    expect((await listTracking(t.db, onHold(1))).total).toBe(4);
  });
});

describe('the search box', () => {
  const search = async (text: string): Promise<string[]> =>
    (await listTracking(t.db, { ...onHold(1), filter: null, pageSize: 50, search: text })).rows.map((r) => r.contactName.split(' ').at(-1) ?? '');

  it('matches fragments of any word of the name, in any order and case', async () => {
    expect(await search('ber')).toEqual(['Berg']);
    expect(await search('ÅNGSTR')).toEqual(['Ångström']);
    expect(await search('ångström pat')).toEqual(['Ångström']);
    expect(await search('  dub   PAT ')).toEqual(['Dubois']);
    expect(await search('a')).toEqual(['Abara', 'Berg', 'Chen', 'Dubois', 'Ångström']);
    expect(await search('zz')).toEqual([]);
    expect((await listTracking(t.db, { ...onHold(1), filter: null, search: '%' })).total).toBe(0);
  });
});
