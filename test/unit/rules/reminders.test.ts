/** Which expiration dates a reminder is due for on a day (issue 18): from its own day until the next reminder's day. */
import { describe, expect, it } from 'vitest';
import { reminderKind, reminderOffset, reminderWindows, type ReminderTiming } from '../../../main/rules/reminders';

const schedule: ReminderTiming[] = [
  { days: 90, when: 'before' },
  { days: 30, when: 'before' },
  { days: 30, when: 'after' },
  { days: 60, when: 'after' },
];

describe('reminder windows', () => {
  it('gives each reminder the dates from its day until the next one on its side takes over', () => {
    const w = reminderWindows(schedule, '2026-03-10').map((x) => [reminderKind(x.reminder), x.statuses.join('/'), x.expiresFrom, x.expiresTo]);
    expect(w).toEqual([
      // 90 before: expires 31–90 days from today (the 30-day reminder takes over from 30 days).
      ['reminder-90-days-before', 'Active/Expiring', '2026-04-10', '2026-06-08'],
      // 30 before: expires today … 30 days from today (valid through its date).
      ['reminder-30-days-before', 'Active/Expiring', '2026-03-10', '2026-04-09'],
      // 30 after: expired 30–59 days ago; 60 after: 60–89 days ago (the last one is due for 30 days).
      ['reminder-30-days-after', 'Expired', '2026-01-10', '2026-02-08'],
      ['reminder-60-days-after', 'Expired', '2025-12-11', '2026-01-09'],
    ]);
  });

  it('works across Feb 29 and the turn of the year, by calendar days', () => {
    const [w] = reminderWindows([{ days: 1, when: 'before' }], '2028-02-28');
    expect([w?.expiresFrom, w?.expiresTo]).toEqual(['2028-02-28', '2028-02-29']);
    const [after] = reminderWindows([{ days: 1, when: 'after' }], '2027-01-01');
    expect([after?.expiresFrom, after?.expiresTo]).toEqual(['2026-12-02', '2026-12-31']);
  });

  it('offsets are negative before the expiration date and positive after', () => {
    expect(reminderOffset({ days: 90, when: 'before' })).toBe(-90);
    expect(reminderOffset({ days: 30, when: 'after' })).toBe(30);
  });
});
