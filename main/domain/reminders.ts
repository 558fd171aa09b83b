/** A certification's reminder schedule as admins edit it and as it is stored (programs.reminder_schedule, JSON). Shared with the renderer. */
import { z } from 'zod';
import { describeTiming, reminderOffset, type ReminderTiming } from '../rules/reminders';
import { fillTemplate, type ExpiringEmailVars } from './expiring-email';
import { required, requiredLines } from './schema-parts';

export const MAX_REMINDERS = 12;

export const reminderSchema = z
  .object({
    days: z
      .number({ error: 'Days must be a whole number from 1 to 365.' })
      .int('Days must be a whole number from 1 to 365.')
      .min(1, 'Days must be a whole number from 1 to 365.')
      .max(365, 'Days must be a whole number from 1 to 365.'),
    when: z.enum(['before', 'after']),
    // The subject is an email header: one line, like the "Certification Expiring" email's.
    subject: required('Subject', 200),
    body: requiredLines('Text', 5000),
  })
  .strict();

export type Reminder = z.infer<typeof reminderSchema>;

export const reminderScheduleSchema = z
  .array(reminderSchema)
  .max(MAX_REMINDERS, `At most ${MAX_REMINDERS} reminders per certification.`)
  .superRefine((list, ctx) => {
    const seen = new Set<number>();
    list.forEach((r, i) => {
      const offset = reminderOffset(r);
      if (seen.has(offset)) ctx.addIssue({ code: 'custom', path: [i, 'days'], message: `Two reminders ${describeTiming(r)}: keep one.` });
      seen.add(offset);
    });
  });

/** Sorted by offset from the expiration date (90 before … 30 after): the order staff read them in. */
export function sortedSchedule<T extends ReminderTiming>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => reminderOffset(a) - reminderOffset(b));
}

/** The stored schedule; a value that does not parse (never written by CertDesk) counts as no schedule. */
export function parseSchedule(json: string | null | undefined): Reminder[] {
  if (!json) return [];
  try {
    const parsed = reminderScheduleSchema.safeParse(JSON.parse(json));
    return parsed.success ? sortedSchedule(parsed.data) : [];
  } catch {
    return [];
  }
}

/** A reminder's subject and text filled with the same placeholders as the "Certification Expiring" email. */
export function renderReminder(r: Pick<Reminder, 'subject' | 'body'>, vars: ExpiringEmailVars): { subject: string; body: string } {
  return { subject: fillTemplate(r.subject, vars), body: fillTemplate(r.body, vars) };
}

/** A default new reminder, ready to edit. */
export function newReminder(days = 30, when: Reminder['when'] = 'before'): Reminder {
  return when === 'before'
    ? {
        days,
        when,
        subject: 'Reminder: your {certification} certification expires on {expiration_date}',
        body: 'Dear {contact_name},\n\nYour {certification} certification expires on {expiration_date}. Please renew it in time.\n\nKind regards,\nThe certification team',
      }
    : {
        days,
        when,
        subject: 'Your {certification} certification expired on {expiration_date}',
        body: 'Dear {contact_name},\n\nYour {certification} certification expired on {expiration_date}. Renew it to hold it again.\n\nKind regards,\nThe certification team',
      };
}

/** What an outbox email is, in words: "Certification Expiring" or "Reminder, 30 days before expiration". */
export function emailKindLabel(row: { kind: string; reminder_offset: number | null }): string {
  if (row.reminder_offset === null) return row.kind === 'certification-expiring' ? 'Certification Expiring' : row.kind;
  const when = row.reminder_offset < 0 ? 'before' : 'after';
  return `Reminder, ${describeTiming({ days: Math.abs(row.reminder_offset), when })}`;
}
