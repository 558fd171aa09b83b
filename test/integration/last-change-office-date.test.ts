/**
 * The "Last change" condition of a Customize Filter compares the office's
 * date, not UTC's: in Kiritimati (UTC+14) a change at 12:00 UTC on 10 March is
 * on the office's 11 March. Through the IPC door, on a real database file.
 */
import { describe, expect, it } from 'vitest';
import { enroll } from '../../main/services/records';
import { SYSTEM } from '../../main/services/context';
import { ok, signedInAdmin } from './door';
import { makeContact, makeProgram, TestClock } from './support';

describe('"Last change" by the office date', () => {
  it('finds a change made at 12:00 UTC on 10 March on the office day 11 March in Kiritimati, and between, before and after by that day', async () => {
    const clock = new TestClock('2026-03-10T12:00:00Z');
    const backend = await signedInAdmin(clock);
    ok(await backend.invoke('settings.setTimeZone', { timeZone: 'Pacific/Kiritimati' }));
    const ctx = backend.context.services;
    const { program } = await makeProgram(ctx);
    const record = await enroll(ctx, SYSTEM, { contactId: (await makeContact(ctx)).id, programId: program.id, source: 'back-office' });
    expect(record.updated_at).toBe('2026-03-10T12:00:00.000Z');

    const ids = async (operator: string, value: unknown): Promise<number[]> => {
      const list = ok<{ rows: Array<{ id: number }> }>(
        await backend.invoke('tracking.list', {
          quick: { kind: 'all' },
          filter: { combinator: 'and', rules: [{ field: 'updatedAt', operator, value }] },
          sort: { column: 'contactName', direction: 'asc' },
          page: 1,
          pageSize: 50,
        }),
      );
      return list.rows.map((r) => r.id);
    };
    expect(await ids('=', '2026-03-11')).toEqual([record.id]);
    expect(await ids('=', '2026-03-10')).toEqual([]);
    expect(await ids('<', '2026-03-11')).toEqual([]);
    expect(await ids('<', '2026-03-12')).toEqual([record.id]);
    expect(await ids('>', '2026-03-10')).toEqual([record.id]);
    expect(await ids('>', '2026-03-11')).toEqual([]);
    expect(await ids('between', ['2026-03-11', '2026-03-11'])).toEqual([record.id]);
    // The office's today is 11 March (02:00 there): "in the last 0 days" is today.
    expect(await ids('inLastDays', 0)).toEqual([record.id]);
  });
});
