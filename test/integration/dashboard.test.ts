/**
 * The renewals dashboard through the IPC door on a real SQLite file: every
 * number it shows is the total the Tracking list shows for the selection the
 * number opens, and the numbers are counted by the office's date (New York),
 * not UTC's.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../main/backend';
import type { DashboardNumber, DashboardSummary } from '../../main/ipc/contract';
import { validateFilterTree } from '../../main/filters/compile';
import { addDays } from '../../main/rules/calendar';
import type { Status } from '../../main/rules/statuses';
import { ok, refused, signedInAdmin } from './door';
import { makeContact, makeProgram, TestClock } from './support';

// 03:00 UTC on 10 March is 23:00 on 9 March in New York: the office's today is the 9th.
const NOW = '2026-03-10T03:00:00Z';
const OFFICE_TODAY = '2026-03-09';

/**
 * Records as stored, each [status, expires on, on track until]: the last is the kept column the credits
 * service maintains (migration 010), the last day the credits earned meet the requirement pro rata.
 */
async function addRecords(backend: Backend, programId: number, rows: Array<[Status, string | null, string?]>): Promise<void> {
  const ctx = backend.context.services;
  const at = '2026-03-01T10:00:00.000Z';
  for (const [status, expiresOn, onTrackUntil] of rows) {
    const contact = await makeContact(ctx);
    await ctx.db('records').insert({
      contact_id: contact.id,
      program_id: programId,
      status,
      sort_name: 'x',
      expires_on: expiresOn,
      completed_on: expiresOn ? addDays(expiresOn, -365) : null,
      credits_on_track_until: onTrackUntil ?? null,
      created_at: at,
      updated_at: at,
    });
  }
}

/** The Tracking list's total for a number's selection, as the page asks for it (search cleared). */
async function listTotal(backend: Backend, n: DashboardNumber): Promise<number> {
  const { total } = ok<{ total: number }>(
    await backend.invoke('tracking.list', {
      quick: n.selection.quick,
      filter: n.selection.filter,
      search: '',
      sort: { column: 'expiresOn', direction: 'asc' },
      page: 1,
      pageSize: 50,
    }),
  );
  return total;
}

function everyNumber(s: DashboardSummary): Array<[string, DashboardNumber]> {
  return [
    ...s.expiring.map((n, i): [string, DashboardNumber] => [`all, next ${s.horizons[i]} days`, n]),
    ...s.onTrack.map((n, i): [string, DashboardNumber] => [`all, on track, next ${s.horizons[i]} days`, n]),
    ['all, expired', s.expired],
    ['applications', s.applications],
    ['completions', s.completions],
    ...s.byProgram.flatMap((p) => [
      ...p.expiring.map((n, i): [string, DashboardNumber] => [`${p.name}, next ${s.horizons[i]} days`, n]),
      ...p.onTrack.map((n, i): [string, DashboardNumber] => [`${p.name}, on track, next ${s.horizons[i]} days`, n]),
      [`${p.name}, expired`, p.expired] as [string, DashboardNumber],
    ]),
  ];
}

describe('renewals dashboard', () => {
  it("counts by the office's date, and every number is the Tracking list's total for the selection it opens", async () => {
    const backend = await signedInAdmin(new TestClock(NOW));
    const ctx = backend.context.services;
    const a = (await makeProgram(ctx, { name: 'Alpha Certification' })).program;
    const b = (await makeProgram(ctx, { name: 'Beta Certification', requireApproval: true, requireCompletionApproval: true })).program;
    const d = (n: number) => addDays(OFFICE_TODAY, n);
    await addRecords(backend, a.id, [
      ['Expiring', d(0), d(0)], // expires on the office's today: still held, in every horizon; on track through today
      ['Expiring', d(30), d(-1)], // the last day of "the next 30 days"; behind since yesterday
      ['Active', d(31)], // first day past 30
      ['Active', d(60), d(100)], // on track
      ['Active', d(90)],
      ['Active', d(180)],
      ['Active', d(181)], // past every horizon
      ['Active', null], // never expires
      ['Cancelled', d(10)], // not held
      ['Expired', d(-1)], // expired yesterday (office date)
      ['Expired', d(-90)], // the first day of "the last 90 days"
      ['Expired', d(-91)], // too long ago
      ['In Progress', d(-20)], // renewed: a new cycle
    ]);
    await addRecords(backend, b.id, [
      ['Expiring', d(5), d(3)],
      ['Active', d(100)],
      ['Expired', d(-30)],
      ['Applied', null],
      ['Applied', null],
      ['Admin Review', null],
    ]);

    const s = ok<DashboardSummary>(await backend.invoke('dashboard.summary', {}));
    expect(s.today).toBe(OFFICE_TODAY);
    expect(s.horizons).toEqual([30, 60, 90, 180]);
    const byName = Object.fromEntries(s.byProgram.map((p) => [p.name, p]));
    // By hand: what staff would count on the list for the 9th of March.
    expect(byName['Alpha Certification']?.expiring.map((n) => n.count)).toEqual([2, 4, 5, 6]);
    expect(byName['Alpha Certification']?.onTrack.map((n) => n.count)).toEqual([1, 2, 2, 2]);
    expect(byName['Alpha Certification']?.expired.count).toBe(2);
    expect(byName['Beta Certification']?.expiring.map((n) => n.count)).toEqual([1, 1, 1, 2]);
    expect(byName['Beta Certification']?.onTrack.map((n) => n.count)).toEqual([1, 1, 1, 1]);
    expect(byName['Beta Certification']?.expired.count).toBe(1);
    expect(s.expiring.map((n) => n.count)).toEqual([3, 5, 6, 8]);
    expect(s.onTrack.map((n) => n.count)).toEqual([2, 3, 3, 3]);
    expect(s.expired.count).toBe(3);
    expect(s.applications.count).toBe(2);
    expect(s.completions.count).toBe(1);
    // A bar of one certification opens that certification's Quick Filter with the same Customize Filter.
    expect(byName['Beta Certification']?.expiring[0]?.selection).toEqual({
      quick: { kind: 'program', programId: b.id },
      filter: s.expiring[0]?.selection.filter,
    });

    const mismatches: string[] = [];
    for (const [label, n] of everyNumber(s)) {
      if (n.selection.filter && !validateFilterTree(n.selection.filter).ok) mismatches.push(`${label}: not a filter the Customize Filter accepts`);
      const total = await listTotal(backend, n);
      if (total !== n.count) mismatches.push(`${label}: dashboard ${n.count}, Tracking list ${total}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('the next office day moves the horizons with it, and a write shows at once', async () => {
    const clock = new TestClock(NOW);
    const backend = await signedInAdmin(clock);
    const ctx = backend.context.services;
    const { program } = await makeProgram(ctx, { name: 'Gamma Certification' });
    await addRecords(backend, program.id, [
      ['Expiring', OFFICE_TODAY],
      ['Active', addDays(OFFICE_TODAY, 31)],
    ]);
    const before = ok<DashboardSummary>(await backend.invoke('dashboard.summary', {}));
    expect(before.expiring[0]?.count).toBe(1);

    // 05:00 UTC: the 10th in New York. The record expiring on the 9th is no longer "today or later"; the 31st day is now the 30th.
    clock.set('2026-03-10T05:00:00Z');
    const after = ok<DashboardSummary>(await backend.invoke('dashboard.summary', {}));
    expect(after.today).toBe('2026-03-10');
    expect(after.expiring[0]?.count).toBe(1);
    expect(await listTotal(backend, after.expiring[0] as DashboardNumber)).toBe(1);
    const [row] = ok<{ rows: Array<{ expiresOn: string }> }>(
      await backend.invoke('tracking.list', { ...after.expiring[0]?.selection, sort: { column: 'expiresOn', direction: 'asc' }, page: 1, pageSize: 5 }),
    ).rows;
    expect(row?.expiresOn).toBe(addDays(OFFICE_TODAY, 31));

    await addRecords(backend, program.id, [['Active', '2026-03-20']]);
    expect(ok<DashboardSummary>(await backend.invoke('dashboard.summary', {})).expiring[0]?.count).toBe(2);
  });

  it("takes no input: the office date is main's, never the caller's", async () => {
    const backend = await signedInAdmin(new TestClock(NOW));
    expect(await refused(backend, 'dashboard.summary', { today: '2030-01-01' })).toMatch(/today/);
  });
});
