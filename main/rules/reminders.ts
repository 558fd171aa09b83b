/**
 * The reminder schedule of a certification (SPEC §6, issue 18): extra reminder emails at
 * offsets from the expiration date, each once per record and cycle. Pure: which records
 * (by status and expiration date) a reminder is due for on a given day.
 *
 * A reminder is due from its own day until the next reminder on the same side of the
 * expiration date takes over, so a record that skipped a reminder's day (a new schedule,
 * a late date change, days away) gets the latest one only, never a burst of stale ones.
 * The last "before" reminder stays due through the expiration date; the last "after"
 * reminder for AFTER_REMINDER_DAYS_DUE days (a reminder months late is not sent).
 */
import { addDays, type CalendarDate } from './calendar';
import type { Status } from './statuses';

export type ReminderSide = 'before' | 'after';

export interface ReminderTiming {
  days: number;
  when: ReminderSide;
}

/** How long the last "after" reminder stays due once its day has come. */
export const AFTER_REMINDER_DAYS_DUE = 30;

/** Before the expiration date a certificate is held (Active or Expiring); after it, Expired and not renewed. */
export const REMINDER_STATUSES: Record<ReminderSide, readonly Status[]> = { before: ['Active', 'Expiring'], after: ['Expired'] };

/** Days from the expiration date: negative before it, positive after it. */
export function reminderOffset(t: ReminderTiming): number {
  return t.when === 'before' ? -t.days : t.days;
}

/** The outbox kind of a reminder: one email per kind, record and expiration date. */
export function reminderKind(t: ReminderTiming): string {
  return `reminder-${t.days}-days-${t.when}`;
}

/** "30 days before expiration", for lists and reasons. */
export function describeTiming(t: ReminderTiming): string {
  return `${t.days} day${t.days === 1 ? '' : 's'} ${t.when} expiration`;
}

export interface ReminderWindow<T extends ReminderTiming = ReminderTiming> {
  reminder: T;
  statuses: readonly Status[];
  /** Records whose expiration date lies in [from, to] (inclusive) are due for this reminder today. */
  expiresFrom: CalendarDate;
  expiresTo: CalendarDate;
}

/** For each reminder of a schedule, the expiration dates for which it is due today. */
export function reminderWindows<T extends ReminderTiming>(schedule: readonly T[], today: CalendarDate): Array<ReminderWindow<T>> {
  const windows: Array<ReminderWindow<T>> = [];
  for (const r of schedule) {
    const sameSide = schedule.filter((o) => o.when === r.when);
    if (r.when === 'before') {
      // Due once expires_on − days ≤ today, until the next (closer) before-reminder's day, at the latest the expiration date.
      const closer = sameSide.filter((o) => o.days < r.days).map((o) => o.days);
      const from = closer.length ? addDays(today, Math.max(...closer) + 1) : today;
      windows.push({ reminder: r, statuses: REMINDER_STATUSES.before, expiresFrom: from, expiresTo: addDays(today, r.days) });
    } else {
      const later = sameSide.filter((o) => o.days > r.days).map((o) => o.days);
      const until = later.length ? Math.min(...later) : r.days + AFTER_REMINDER_DAYS_DUE;
      windows.push({ reminder: r, statuses: REMINDER_STATUSES.after, expiresFrom: addDays(today, -until + 1), expiresTo: addDays(today, -r.days) });
    }
  }
  return windows.filter((w) => w.expiresFrom <= w.expiresTo);
}
