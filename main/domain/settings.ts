import { z } from 'zod';

/** Lock the desk after this many idle minutes (SPEC §6); 0 is "never". At most a working day. */
export const idleLockMinutes = z
  .number()
  .int('Whole minutes.')
  .min(0, '0 means never.')
  .max(8 * 60, 'At most 480 minutes (8 hours).');

/** The choices the settings offer: never, or one of these many minutes. */
export const IDLE_LOCK_CHOICES = [0, 1, 5, 10, 15, 30, 60, 120, 240, 480] as const;

/** The office's settings, with the defaults a new database starts from. */
export const SETTINGS_SCHEMA = z.object({
  /** "Send 'Certification Expiring' Emails n Days Before Expiration". */
  expiringDays: z.number().int().min(0).max(365),
  timeZone: z.string().min(1).max(64),
  expiringEmailSubject: z.string().max(200),
  expiringEmailBody: z.string().max(5000),
  syncFolder: z.string().max(1000),
  syncEveryMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60),
  /** The filter the Tracking page had when it was last left, restored on start. */
  trackingFilter: z.string().max(100_000),
  idleLockMinutes,
});

export type Settings = z.infer<typeof SETTINGS_SCHEMA>;

export const DEFAULT_SETTINGS: Settings = {
  expiringDays: 30,
  timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  expiringEmailSubject: 'Your {certification} certification expires on {expiration_date}',
  expiringEmailBody:
    'Dear {contact_name},\n\nYour {certification} certification expires on {expiration_date}. ' +
    'Please renew it before then to keep it active.\n\nKind regards,\nThe certification team',
  syncFolder: '',
  syncEveryMinutes: 0,
  trackingFilter: '',
  idleLockMinutes: 15,
};
