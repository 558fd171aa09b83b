import { z } from 'zod';
import type { Executor } from './context';

/** The office's settings, with the defaults a new database starts from. */
export const SETTINGS_SCHEMA = z.object({
  /** "Send 'Certification Expiring' Emails n Days Before Expiration". */
  expiringDays: z.number().int().min(0).max(365),
  timeZone: z.string().min(1).max(64),
  expiringEmailSubject: z.string().max(200),
  expiringEmailBody: z.string().max(5000),
  syncFolder: z.string().max(1000),
  syncEveryMinutes: z.number().int().min(0).max(7 * 24 * 60),
  /** The filter the Tracking page had when it was last left, restored on start. */
  trackingFilter: z.string().max(100_000),
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
};

export async function readSettings(db: Executor): Promise<Settings> {
  const rows: Array<{ key: string; value: string }> = await db('settings').select('key', 'value');
  const stored: Record<string, unknown> = {};
  for (const { key, value } of rows) {
    if (key in DEFAULT_SETTINGS) stored[key] = JSON.parse(value) as unknown;
  }
  return SETTINGS_SCHEMA.parse({ ...DEFAULT_SETTINGS, ...stored });
}

/** One setting: the calls made on every list page need only the time zone, not the saved view. */
export async function readSetting<K extends keyof Settings>(db: Executor, key: K): Promise<Settings[K]> {
  const row: { value: string } | undefined = await db('settings').where({ key }).first('value');
  return SETTINGS_SCHEMA.shape[key].parse(row ? JSON.parse(row.value) : DEFAULT_SETTINGS[key]) as Settings[K];
}

export async function writeSettings(db: Executor, patch: Partial<Settings>): Promise<void> {
  const valid = SETTINGS_SCHEMA.partial().parse(patch);
  for (const [key, value] of Object.entries(valid)) {
    await db('settings').insert({ key, value: JSON.stringify(value) }).onConflict('key').merge();
  }
}
