import { describe, expect, it } from 'vitest';
import type { CalendarDate } from '../../../main/rules/calendar';
import {
  allowedMoves,
  evaluate,
  MANUAL_TABLE,
  markAllComplete,
  planManualMove,
  statusOnEnrollment,
  timeStatus,
  type Decision,
  type EngineSettings,
  type MovePlan,
  type ProgramRules,
  type Progress,
  type RecordState,
  type Refusal,
} from '../../../main/rules/engine';
import type { ExpirationRule } from '../../../main/rules/expiration';
import { MANUAL_ONLY_STATUSES, STATUSES, type Status } from '../../../main/rules/statuses';
import { BOUNDARY_EXPIRY_DATES, BOUNDARY_N } from './fixtures/tz-cases';

// ---------------------------------------------------------------------------
// Helpers

const TODAY = '2026-06-15';
const ONE_YEAR: ExpirationRule = { kind: 'period', amount: 1, unit: 'years' };

function program(over: Partial<ProgramRules> = {}): ProgramRules {
  return { requireApproval: false, requireCompletionApproval: false, expiration: ONE_YEAR, ...over };
}

function record(status: Status, over: Partial<RecordState> = {}): RecordState {
  return { status, completedOn: null, approvedOn: null, expiresOn: null, ...over };
}

function settings(expiringDays: number): EngineSettings {
  return { expiringDays };
}

const NOT_DONE: Progress = { requiredTotal: 3, requiredDone: 1 };
const ALL_DONE: Progress = { requiredTotal: 3, requiredDone: 3 };

/** Test oracle only: UTC day arithmetic, independent of the machine's TZ. */
function oracleAddDays(date: CalendarDate, days: number): CalendarDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function expectAllowed(plan: MovePlan): Extract<MovePlan, { allowed: true }> {
  if (!plan.allowed) throw new Error(`expected the move to be allowed, it was refused: ${plan.reason}`);
  return plan;
}

function expectRefused(plan: MovePlan | Decision | Refusal): string {
  if (!('allowed' in plan) || plan.allowed) throw new Error(`expected a refusal, got ${JSON.stringify(plan)}`);
  return plan.reason;
}

function isRefusal(result: Decision | Refusal): result is Refusal {
  return 'allowed' in result;
}

function move(from: Status, to: Status, over: Partial<Parameters<typeof planManualMove>[0]> = {}): MovePlan {
  return planManualMove({
    record: record(from),
    to,
    reason: 'Confirmed with the member by phone',
    program: program(),
    progress: NOT_DONE,
    settings: settings(30),
    today: TODAY,
    ...over,
  });
}

/** SPEC.md §2, "Set by staff", copied by hand: from -> what staff may set. */
const STAFF_TABLE: Record<Status, readonly Status[]> = {
  Applied: ['In Progress', 'Declined', 'Cancelled'],
  'In Progress': ['Inactive', 'Not Completed', 'Cancelled'],
  'Admin Review': ['Active', 'In Progress', 'Cancelled'],
  Inactive: ['In Progress', 'Not Completed', 'Cancelled'],
  'Not Completed': ['In Progress', 'Cancelled'],
  Declined: ['In Progress', 'Cancelled'],
  Active: ['Cancelled'],
  Expiring: ['Cancelled'],
  Expired: ['In Progress'],
  Cancelled: ['In Progress'],
};

// ---------------------------------------------------------------------------

describe('the ten statuses', () => {
  it('are named word for word as in SPEC.md §2', () => {
    expect([...STATUSES]).toEqual([
      'In Progress',
      'Applied',
      'Declined',
      'Active',
      'Inactive',
      'Expired',
      'Not Completed',
      'Admin Review',
      'Expiring',
      'Cancelled',
    ]);
  });

  it('leave exactly Declined, Inactive, Not Completed and Cancelled to staff', () => {
    expect([...MANUAL_ONLY_STATUSES].sort()).toEqual(['Cancelled', 'Declined', 'Inactive', 'Not Completed']);
  });
});

describe('statusOnEnrollment (SPEC §2 automatic table, first three rows)', () => {
  it('an application to a certification with Require Approval is Applied, not started', () => {
    const d = statusOnEnrollment('application', program({ requireApproval: true }), TODAY);
    expect(d).toMatchObject({ status: 'Applied', changes: {}, queueExpiringEmail: false, startsNewCycle: false });
    expect(d.changes.startedOn).toBeUndefined();
    expect(d.rule).toMatch(/requires approval/);
  });

  it('an application to a certification without Require Approval is In Progress, started today', () => {
    const d = statusOnEnrollment('application', program({ requireApproval: false }), TODAY);
    expect(d).toEqual({
      status: 'In Progress',
      rule: expect.stringMatching(/does not require approval/),
      changes: { startedOn: TODAY },
      queueExpiringEmail: false,
      startsNewCycle: false,
    });
  });

  it.each([true, false])('staff adding a contact from the back office is In Progress (requireApproval = %s)', (requireApproval) => {
    const d = statusOnEnrollment('back-office', program({ requireApproval }), '2028-02-29');
    expect(d.status).toBe('In Progress');
    expect(d.changes).toEqual({ startedOn: '2028-02-29' });
    expect(d.queueExpiringEmail).toBe(false);
    expect(d.rule).toMatch(/back office/);
  });
});

describe('evaluate: completion (records In Progress)', () => {
  it('every required component completed, no completion approval: Active, completed and approved today, expires computed', () => {
    const d = evaluate({ record: record('In Progress'), program: program(), progress: ALL_DONE, settings: settings(30), today: TODAY });
    expect(d).toEqual({
      status: 'Active',
      rule: expect.stringContaining('Every required component is completed'),
      changes: { completedOn: TODAY, approvedOn: TODAY, expiresOn: '2027-06-15' },
      queueExpiringEmail: false,
      startsNewCycle: false,
    });
  });

  it('more done than required still completes', () => {
    const d = evaluate({
      record: record('In Progress'),
      program: program(),
      progress: { requiredTotal: 2, requiredDone: 5 },
      settings: settings(30),
      today: TODAY,
    });
    expect(d.status).toBe('Active');
  });

  it('every required component completed, completion approval required: Admin Review, completed today, no approval or expiration yet', () => {
    const d = evaluate({
      record: record('In Progress'),
      program: program({ requireCompletionApproval: true }),
      progress: ALL_DONE,
      settings: settings(30),
      today: TODAY,
    });
    expect(d).toEqual({
      status: 'Admin Review',
      rule: expect.stringContaining('requires admin approval'),
      changes: { completedOn: TODAY },
      queueExpiringEmail: false,
      startsNewCycle: false,
    });
  });

  it.each([
    [0, 3],
    [1, 3],
    [2, 3],
  ])('%d of %d required components: stays In Progress, nothing changes', (requiredDone, requiredTotal) => {
    const d = evaluate({
      record: record('In Progress'),
      program: program(),
      progress: { requiredTotal, requiredDone },
      settings: settings(30),
      today: TODAY,
    });
    expect(d).toEqual({
      status: 'In Progress',
      rule: `${requiredDone} of ${requiredTotal} required components completed`,
      changes: {},
      queueExpiringEmail: false,
      startsNewCycle: false,
    });
  });

  it.each([true, false])('a certification with no required component is not completed automatically (completion approval %s)', (approval) => {
    const d = evaluate({
      record: record('In Progress'),
      program: program({ requireCompletionApproval: approval }),
      progress: { requiredTotal: 0, requiredDone: 0 },
      settings: settings(30),
      today: TODAY,
    });
    expect(d.status).toBe('In Progress');
    expect(d.changes).toEqual({});
  });

  // n = 7 here so that every computed date lies beyond the Expiring window.
  it.each<[string, CalendarDate, CalendarDate | null, ExpirationRule]>([
    ['never', TODAY, null, { kind: 'never' }],
    ['1 year', '2028-02-29', '2029-02-28', ONE_YEAR],
    ['4 years', '2028-02-29', '2032-02-29', { kind: 'period', amount: 4, unit: 'years' }],
    ['1 year', '2026-12-31', '2027-12-31', ONE_YEAR],
    ['1 month', '2026-01-31', '2026-02-28', { kind: 'period', amount: 1, unit: 'months' }],
    ['6 months', '2027-08-31', '2028-02-29', { kind: 'period', amount: 6, unit: 'months' }],
    ['400 days', '2026-12-31', '2028-02-04', { kind: 'period', amount: 400, unit: 'days' }],
    ['fixed', TODAY, '2030-12-31', { kind: 'fixed', date: '2030-12-31' }],
  ])('expiration %s: completed on %s expires on %s', (_label, today, expiresOn, expiration) => {
    const d = evaluate({ record: record('In Progress'), program: program({ expiration }), progress: ALL_DONE, settings: settings(7), today });
    expect(d.status).toBe('Active');
    expect(d.changes).toEqual({ completedOn: today, approvedOn: today, expiresOn });
    expect(d.queueExpiringEmail).toBe(false);
  });

  it('completion with a fixed expiration within n days lands in Expiring and queues the email', () => {
    const d = evaluate({
      record: record('In Progress'),
      program: program({ expiration: { kind: 'fixed', date: '2026-06-30' } }),
      progress: ALL_DONE,
      settings: settings(30),
      today: TODAY,
    });
    expect(d.status).toBe('Expiring');
    expect(d.queueExpiringEmail).toBe(true);
    expect(d.changes).toEqual({ completedOn: TODAY, approvedOn: TODAY, expiresOn: '2026-06-30' });
  });

  it('completion with a fixed expiration already passed is Expired, with no email', () => {
    const d = evaluate({
      record: record('In Progress'),
      program: program({ expiration: { kind: 'fixed', date: '2026-06-14' } }),
      progress: ALL_DONE,
      settings: settings(30),
      today: TODAY,
    });
    expect(d.status).toBe('Expired');
    expect(d.queueExpiringEmail).toBe(false);
  });

  it('completion with a fixed expiration within n days but n = 0 is Active', () => {
    const d = evaluate({
      record: record('In Progress'),
      program: program({ expiration: { kind: 'fixed', date: TODAY } }),
      progress: ALL_DONE,
      settings: settings(0),
      today: TODAY,
    });
    expect(d.status).toBe('Active');
    expect(d.queueExpiringEmail).toBe(false);
  });
});

describe('evaluate: statuses only staff set are kept', () => {
  const kept: Status[] = ['Applied', 'Declined', 'Inactive', 'Not Completed', 'Cancelled', 'Admin Review'];
  it.each(kept)('%s is kept even with every component done and the expiration passed', (status) => {
    const d = evaluate({
      record: record(status, { expiresOn: '2026-01-01', completedOn: '2025-01-01', approvedOn: '2025-01-01' }),
      program: program(),
      progress: ALL_DONE,
      settings: settings(30),
      today: TODAY,
    });
    expect(d).toEqual({
      status,
      rule: expect.stringContaining(status),
      changes: {},
      queueExpiringEmail: false,
      startsNewCycle: false,
    });
  });

  it('never sets Declined, Inactive, Not Completed or Cancelled on a record that was not already there', () => {
    const others = STATUSES.filter((s) => !MANUAL_ONLY_STATUSES.includes(s));
    for (const status of others) {
      for (const progress of [NOT_DONE, ALL_DONE, { requiredTotal: 0, requiredDone: 0 }]) {
        for (const expiresOn of [null, '2026-01-01', '2026-06-15', '2026-07-01', '2027-01-01']) {
          for (const n of [0, 1, 30, 90]) {
            const d = evaluate({ record: record(status, { expiresOn }), program: program(), progress, settings: settings(n), today: TODAY });
            expect(MANUAL_ONLY_STATUSES).not.toContain(d.status);
          }
        }
      }
    }
  });
});

describe('time rules: Expiring when expires − n ≤ today ≤ expires, Expired from the next day', () => {
  const EXPECTED: Record<'dayBeforeWindow' | 'windowStart' | 'expirationDay' | 'dayAfter', 'Active' | 'Expiring' | 'Expired'> = {
    dayBeforeWindow: 'Active',
    windowStart: 'Expiring',
    expirationDay: 'Expiring',
    dayAfter: 'Expired',
  };

  // Hand-computed probe days, so a wrong addDays cannot hide a wrong boundary.
  it.each<[CalendarDate, number, CalendarDate, CalendarDate, CalendarDate]>([
    // expires,      n,  day before window, window start, day after
    ['2027-01-01', 1, '2026-12-30', '2026-12-31', '2027-01-02'],
    ['2027-01-01', 7, '2026-12-24', '2026-12-25', '2027-01-02'],
    ['2027-01-01', 30, '2026-12-01', '2026-12-02', '2027-01-02'],
    ['2027-01-01', 90, '2026-10-02', '2026-10-03', '2027-01-02'],
    ['2026-12-31', 1, '2026-12-29', '2026-12-30', '2027-01-01'],
    ['2028-03-01', 1, '2028-02-28', '2028-02-29', '2028-03-02'],
    ['2028-03-01', 7, '2028-02-22', '2028-02-23', '2028-03-02'],
    ['2028-03-01', 30, '2028-01-30', '2028-01-31', '2028-03-02'],
    ['2028-03-01', 90, '2027-12-01', '2027-12-02', '2028-03-02'],
    ['2028-02-29', 1, '2028-02-27', '2028-02-28', '2028-03-01'],
    ['2028-02-29', 30, '2028-01-29', '2028-01-30', '2028-03-01'],
    ['2028-02-29', 90, '2027-11-30', '2027-12-01', '2028-03-01'],
    ['2027-03-01', 1, '2027-02-27', '2027-02-28', '2027-03-02'],
    ['2026-03-08', 90, '2025-12-07', '2025-12-08', '2026-03-09'],
  ])('expires %s, n = %d: %s Active, %s Expiring, expires Expiring, %s Expired', (expiresOn, n, before, start, after) => {
    expect(timeStatus(expiresOn, settings(n), before).status).toBe('Active');
    expect(timeStatus(expiresOn, settings(n), start).status).toBe('Expiring');
    expect(timeStatus(expiresOn, settings(n), expiresOn).status).toBe('Expiring');
    expect(timeStatus(expiresOn, settings(n), after).status).toBe('Expired');
  });

  describe.each(BOUNDARY_N)('n = %d', (n) => {
    it.each(BOUNDARY_EXPIRY_DATES)('expires %s: evaluate re-derives Active / Expiring / Expired at each boundary', (expiresOn) => {
      const probes = {
        dayBeforeWindow: oracleAddDays(expiresOn, -n - 1),
        windowStart: oracleAddDays(expiresOn, -n),
        expirationDay: expiresOn,
        dayAfter: oracleAddDays(expiresOn, 1),
      };
      for (const [probe, today] of Object.entries(probes) as Array<[keyof typeof EXPECTED, CalendarDate]>) {
        const want = EXPECTED[probe];
        expect(timeStatus(expiresOn, settings(n), today).status, `${probe} ${today}`).toBe(want);
        for (const from of ['Active', 'Expiring', 'Expired'] as const) {
          const d = evaluate({ record: record(from, { expiresOn }), program: program(), progress: ALL_DONE, settings: settings(n), today });
          expect(d.status, `${from} on ${today}`).toBe(want);
          expect(d.changes, `${from} on ${today}`).toEqual({});
          expect(d.startsNewCycle).toBe(false);
          // One email, only when the record enters Expiring.
          expect(d.queueExpiringEmail, `email for ${from} -> ${want} on ${today}`).toBe(want === 'Expiring' && from !== 'Expiring');
        }
      }
    });

    it('every day around the window matches expires − n ≤ today ≤ expires', () => {
      const expiresOn = '2028-02-29';
      for (let k = -n - 10; k <= 10; k++) {
        const today = oracleAddDays(expiresOn, k);
        const want = k > 0 ? 'Expired' : k >= -n ? 'Expiring' : 'Active';
        expect(timeStatus(expiresOn, settings(n), today).status, today).toBe(want);
      }
    });
  });

  it('n = 0 never gives Expiring (and never queues the email), only Active then Expired', () => {
    for (const expiresOn of BOUNDARY_EXPIRY_DATES) {
      for (let k = -400; k <= 3; k++) {
        const today = oracleAddDays(expiresOn, k);
        for (const from of ['Active', 'Expiring', 'Expired'] as const) {
          const d = evaluate({ record: record(from, { expiresOn }), program: program(), progress: ALL_DONE, settings: settings(0), today });
          expect(d.status, `${from} expiring ${expiresOn} on ${today}`).toBe(k > 0 ? 'Expired' : 'Active');
          expect(d.queueExpiringEmail).toBe(false);
        }
      }
    }
    expect(timeStatus('2027-01-01', settings(0), '2027-01-01').rule).toMatch(/n = 0/);
  });

  it('a certification that never expires stays Active', () => {
    for (const from of ['Active', 'Expiring', 'Expired'] as const) {
      const d = evaluate({ record: record(from, { expiresOn: null }), program: program(), progress: ALL_DONE, settings: settings(90), today: TODAY });
      expect(d.status).toBe('Active');
      expect(d.queueExpiringEmail).toBe(false);
    }
  });

  it('re-derives at once when n changes', () => {
    const r = record('Expiring', { expiresOn: '2026-07-15' }); // 30 days after TODAY
    const at = (n: number): Decision => evaluate({ record: r, program: program(), progress: ALL_DONE, settings: settings(n), today: TODAY });
    expect(at(30).status).toBe('Expiring');
    expect(at(29).status).toBe('Active');
    expect(at(7).status).toBe('Active');
    expect(at(0).status).toBe('Active');
    const active = record('Active', { expiresOn: '2026-07-15' });
    const widened = evaluate({ record: active, program: program(), progress: ALL_DONE, settings: settings(90), today: TODAY });
    expect(widened.status).toBe('Expiring');
    expect(widened.queueExpiringEmail).toBe(true);
  });

  it('re-derives at once when the expiration date is edited', () => {
    const edit = (from: Status, expiresOn: CalendarDate): Decision =>
      evaluate({ record: record(from, { expiresOn }), program: program(), progress: ALL_DONE, settings: settings(30), today: TODAY });
    expect(edit('Expired', '2027-06-15').status).toBe('Active');
    expect(edit('Expiring', '2027-06-15').status).toBe('Active');
    expect(edit('Active', '2026-06-14').status).toBe('Expired');
    const backInWindow = edit('Expired', '2026-06-20');
    expect(backInWindow.status).toBe('Expiring');
    expect(backInWindow.queueExpiringEmail).toBe(true);
  });

  it('explains itself with the expiration date', () => {
    expect(timeStatus('2026-06-14', settings(30), TODAY).rule).toContain('2026-06-14');
    expect(timeStatus('2026-06-20', settings(30), TODAY).rule).toContain('2026-06-20');
    expect(timeStatus('2026-06-20', settings(1), '2026-06-19').rule).toMatch(/within 1 day\b/);
  });
});

describe('markAllComplete', () => {
  it('completes a record In Progress: Active with dates, no completion approval', () => {
    const d = markAllComplete(record('In Progress'), program(), settings(30), '2028-02-29');
    if (isRefusal(d)) throw new Error(d.reason);
    expect(d).toEqual({
      status: 'Active',
      rule: expect.stringContaining('marked complete'),
      changes: { completedOn: '2028-02-29', approvedOn: '2028-02-29', expiresOn: '2029-02-28' },
      queueExpiringEmail: false,
      startsNewCycle: false,
    });
  });

  it('goes to Admin Review when the program requires completion approval', () => {
    const d = markAllComplete(record('In Progress'), program({ requireCompletionApproval: true }), settings(30), TODAY);
    if (isRefusal(d)) throw new Error(d.reason);
    expect(d.status).toBe('Admin Review');
    expect(d.changes).toEqual({ completedOn: TODAY });
  });

  it('lands in Expiring with the email when the fixed expiration is near', () => {
    const d = markAllComplete(record('In Progress'), program({ expiration: { kind: 'fixed', date: '2026-06-16' } }), settings(7), TODAY);
    if (isRefusal(d)) throw new Error(d.reason);
    expect(d.status).toBe('Expiring');
    expect(d.queueExpiringEmail).toBe(true);
  });

  it('refuses an Applied record and says to approve the application first', () => {
    const reason = expectRefused(markAllComplete(record('Applied'), program(), settings(30), TODAY));
    expect(reason).toContain('Applied');
    expect(reason).toMatch(/approve the application first/i);
    expect(reason).toContain('In Progress');
  });

  it.each(STATUSES.filter((s) => s !== 'In Progress' && s !== 'Applied'))('refuses a record that is %s, naming the status', (status) => {
    const reason = expectRefused(markAllComplete(record(status), program(), settings(30), TODAY));
    expect(reason).toContain(`this record is ${status}`);
    expect(reason).toContain('In Progress');
  });
});

describe('manual moves: the staff table', () => {
  it('allowedMoves and MANUAL_TABLE list exactly the SPEC table', () => {
    for (const from of STATUSES) {
      expect(
        allowedMoves(from)
          .map((m) => m.to)
          .sort(),
        from,
      ).toEqual([...STAFF_TABLE[from]].sort());
    }
    expect(new Map(MANUAL_TABLE.map(([from, tos]) => [from, [...tos].sort()]))).toEqual(new Map(STATUSES.map((s) => [s, [...STAFF_TABLE[s]].sort()])));
  });

  it('never offers Expiring, Expired, Applied or Admin Review as a manual target', () => {
    for (const from of STATUSES) {
      for (const m of allowedMoves(from)) expect(['Expiring', 'Expired', 'Applied', 'Admin Review']).not.toContain(m.to);
    }
  });

  describe.each(STATUSES)('from %s', (from) => {
    it.each(STATUSES)(`to %s is allowed exactly when the SPEC table says so`, (to) => {
      const plan = move(from, to);
      if (STAFF_TABLE[from].includes(to)) {
        const ok = expectAllowed(plan);
        expect(ok.status).toBe(to);
        expect(ok.rule).toContain('by staff');
      } else {
        const reason = expectRefused(plan);
        expect(reason).toMatch(/\.$/);
        if (from === to) {
          expect(reason).toBe(`The record is already ${to}.`);
        } else {
          expect(reason).toContain(from);
          expect(reason).toContain(to);
          expect(reason).toContain(`Not allowed from ${from} to ${to}`);
        }
      }
    });
  });

  it('Applied → Active says to approve the application first', () => {
    const reason = expectRefused(move('Applied', 'Active'));
    expect(reason).toContain('Applied');
    expect(reason).toContain('Active');
    expect(reason).toMatch(/approve the application first \(set In Progress\)/i);
  });

  it.each(STATUSES.filter((s) => s !== 'Expiring'))('%s → Expiring says to change the expiration date', (from) => {
    const reason = expectRefused(move(from, 'Expiring'));
    expect(reason).toMatch(/change the expiration date/i);
    expect(reason).toContain(from);
  });

  it.each(STATUSES.filter((s) => s !== 'Expired'))('%s → Expired says to change the expiration date', (from) => {
    const reason = expectRefused(move(from, 'Expired'));
    expect(reason).toMatch(/change the expiration date/i);
    expect(reason).toContain(from);
  });

  it('In Progress → Active points to completing components or Mark all complete', () => {
    const reason = expectRefused(move('In Progress', 'Active', { progress: ALL_DONE }));
    expect(reason).toMatch(/record the completed components or use Mark all complete/);
  });

  it('Expired → Active says to renew or change the expiration date', () => {
    const reason = expectRefused(move('Expired', 'Active'));
    expect(reason).toMatch(/renew the certification \(set In Progress\)/);
    expect(reason).toMatch(/change the expiration date/);
  });

  it('Expired → Cancelled is refused and lists what staff may set', () => {
    expect(expectRefused(move('Expired', 'Cancelled'))).toBe('Not allowed from Expired to Cancelled: from Expired staff may set In Progress.');
  });

  it('a generic refusal lists every allowed target', () => {
    expect(expectRefused(move('Inactive', 'Declined'))).toBe(
      'Not allowed from Inactive to Declined: from Inactive staff may set In Progress, Not Completed or Cancelled.',
    );
  });

  it('Applied and Admin Review are never reached by hand, and the refusal says how they are reached', () => {
    expect(expectRefused(move('In Progress', 'Applied'))).toMatch(/Applied is set only when a contact applies/);
    expect(expectRefused(move('In Progress', 'Admin Review'))).toMatch(/every required component is completed/);
  });
});

describe('manual moves: reasons', () => {
  const withReason = STATUSES.flatMap((from) =>
    allowedMoves(from)
      .filter((m) => m.reasonRequired)
      .map((m) => [from, m.to] as const),
  );
  const withoutReason = STATUSES.flatMap((from) =>
    allowedMoves(from)
      .filter((m) => !m.reasonRequired)
      .map((m) => [from, m.to] as const),
  );

  it('some moves require a reason and some do not', () => {
    expect(withReason.length).toBeGreaterThan(0);
    expect(withoutReason.length).toBeGreaterThan(0);
  });

  it.each(withReason)('%s → %s is refused without a reason and allowed with one', (from, to) => {
    for (const reason of [null, '', '   ', '\t\n ']) {
      const refusal = expectRefused(move(from, to, { reason }));
      expect(refusal).toMatch(/reason is required/i);
      expect(refusal).toContain(`${from} → ${to}`);
    }
    expect(expectAllowed(move(from, to, { reason: 'Moved to another chapter' })).status).toBe(to);
    expect(expectAllowed(move(from, to, { reason: '  x  ' })).status).toBe(to);
  });

  it.each(withoutReason)('%s → %s is allowed with or without a reason', (from, to) => {
    for (const reason of [null, '', '  ', 'Approved at the board meeting']) {
      expect(expectAllowed(move(from, to, { reason })).status).toBe(to);
    }
  });
});

describe('manual moves: what each allowed move does', () => {
  it('Admin Review → Active grants the certification on the approval day', () => {
    const plan = expectAllowed(move('Admin Review', 'Active', { record: record('Admin Review', { completedOn: '2026-05-01' }), reason: null, today: TODAY }));
    expect(plan.status).toBe('Active');
    expect(plan.changes).toEqual({ approvedOn: TODAY, expiresOn: '2027-06-15' });
    expect(plan.changes.completedOn).toBeUndefined(); // stays the day the components were done
    expect(plan.queueExpiringEmail).toBe(false);
    expect(plan.startsNewCycle).toBe(false);
    expect(plan.rule).toContain('Approve completion by staff');
  });

  it.each<[string, CalendarDate, CalendarDate | null, ExpirationRule]>([
    ['1 year', '2028-02-29', '2029-02-28', ONE_YEAR],
    ['1 month', '2028-01-31', '2028-02-29', { kind: 'period', amount: 1, unit: 'months' }],
    ['90 days', '2026-12-31', '2027-03-31', { kind: 'period', amount: 90, unit: 'days' }],
    ['never', TODAY, null, { kind: 'never' }],
  ])('Admin Review → Active with expiration %s, approved %s: expires %s', (_label, today, expiresOn, expiration) => {
    const plan = expectAllowed(
      move('Admin Review', 'Active', {
        record: record('Admin Review', { completedOn: '2025-01-01' }),
        program: program({ expiration }),
        settings: settings(7),
        today,
      }),
    );
    expect(plan.status).toBe('Active');
    expect(plan.changes).toEqual({ approvedOn: today, expiresOn });
  });

  it('Admin Review → Active with a near fixed expiration lands in Expiring and queues the email', () => {
    const plan = expectAllowed(
      move('Admin Review', 'Active', { program: program({ expiration: { kind: 'fixed', date: '2026-06-20' } }), settings: settings(30) }),
    );
    expect(plan.status).toBe('Expiring');
    expect(plan.queueExpiringEmail).toBe(true);
    expect(plan.changes).toEqual({ approvedOn: TODAY, expiresOn: '2026-06-20' });
  });

  it('Admin Review → In Progress (send back) clears the completion date', () => {
    const plan = expectAllowed(move('Admin Review', 'In Progress', { record: record('Admin Review', { completedOn: '2026-06-01' }) }));
    expect(plan.status).toBe('In Progress');
    expect(plan.changes).toEqual({ completedOn: null });
  });

  it('Expired → In Progress renews: a new cycle, dates cleared, started today', () => {
    const plan = expectAllowed(
      move('Expired', 'In Progress', {
        record: record('Expired', { completedOn: '2025-01-10', approvedOn: '2025-01-12', expiresOn: '2026-01-12' }),
        progress: ALL_DONE, // the old cycle's progress; it starts over
        reason: null,
      }),
    );
    expect(plan).toEqual({
      allowed: true,
      status: 'In Progress',
      rule: expect.stringContaining('starts over'),
      changes: { startedOn: TODAY, completedOn: null, approvedOn: null, expiresOn: null },
      queueExpiringEmail: false,
      startsNewCycle: true,
    });
  });

  it('no other move starts a new cycle', () => {
    for (const from of STATUSES) {
      for (const m of allowedMoves(from)) {
        if (from === 'Expired') continue;
        expect(expectAllowed(move(from, m.to)).startsNewCycle, `${from} → ${m.to}`).toBe(false);
      }
    }
  });

  it('Applied → In Progress with work still to do starts the record today', () => {
    const plan = expectAllowed(move('Applied', 'In Progress', { progress: NOT_DONE, reason: null }));
    expect(plan.status).toBe('In Progress');
    expect(plan.changes).toEqual({ startedOn: TODAY });
    expect(plan.rule).toContain('Approve application by staff');
  });

  it('Applied → In Progress with every required component already done goes straight to Active (credits before approval count)', () => {
    const plan = expectAllowed(move('Applied', 'In Progress', { progress: ALL_DONE, reason: null }));
    expect(plan.status).toBe('Active');
    expect(plan.changes).toEqual({ startedOn: TODAY, completedOn: TODAY, approvedOn: TODAY, expiresOn: '2027-06-15' });
    expect(plan.rule).toMatch(/^Approve application by staff; every required component is completed/);
    expect(plan.queueExpiringEmail).toBe(false);
  });

  it('Applied → In Progress with every required component already done goes to Admin Review when completion needs approval', () => {
    const plan = expectAllowed(move('Applied', 'In Progress', { progress: ALL_DONE, program: program({ requireCompletionApproval: true }), reason: null }));
    expect(plan.status).toBe('Admin Review');
    expect(plan.changes).toEqual({ startedOn: TODAY, completedOn: TODAY });
  });

  it('Applied → In Progress with everything done and a near fixed expiration lands in Expiring with the email', () => {
    const plan = expectAllowed(
      move('Applied', 'In Progress', { progress: ALL_DONE, program: program({ expiration: { kind: 'fixed', date: '2026-06-15' } }), settings: settings(1) }),
    );
    expect(plan.status).toBe('Expiring');
    expect(plan.queueExpiringEmail).toBe(true);
  });

  it('Applied → In Progress on a certification with no required component stays In Progress', () => {
    const plan = expectAllowed(move('Applied', 'In Progress', { progress: { requiredTotal: 0, requiredDone: 0 } }));
    expect(plan.status).toBe('In Progress');
    expect(plan.changes).toEqual({ startedOn: TODAY });
  });

  it.each<[Status, Status]>([
    ['Applied', 'Declined'],
    ['Applied', 'Cancelled'],
    ['In Progress', 'Inactive'],
    ['In Progress', 'Not Completed'],
    ['In Progress', 'Cancelled'],
    ['Admin Review', 'Cancelled'],
    ['Active', 'Cancelled'],
    ['Expiring', 'Cancelled'],
  ])('%s → %s changes no date', (from, to) => {
    const plan = expectAllowed(move(from, to, { record: record(from, { completedOn: '2026-01-01', approvedOn: '2026-01-01', expiresOn: '2027-01-01' }) }));
    expect(plan.status).toBe(to);
    expect(plan.changes).toEqual({});
    expect(plan.queueExpiringEmail).toBe(false);
  });

  // Every move back to In Progress re-evaluates completion: work recorded while Applied or
  // Inactive counts at once (SPEC §2; "credits earned before an application is approved count").
  it.each<[Status, string]>([
    ['Inactive', 'Resume'],
    ['Declined', 'Reconsider'],
    ['Not Completed', 'Reopen'],
    ['Cancelled', 'Reinstate'],
  ])('%s → In Progress (%s) with every required component done goes straight to Active', (from) => {
    const plan = expectAllowed(move(from, 'In Progress', { progress: ALL_DONE, reason: 'Back on track' }));
    expect(plan.status).toBe('Active');
    expect(plan.changes).toMatchObject({ completedOn: TODAY, approvedOn: TODAY, expiresOn: '2027-06-15' });
  });
});
