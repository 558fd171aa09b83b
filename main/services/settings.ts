import { DEFAULT_SETTINGS, SETTINGS_SCHEMA } from '../domain/settings';
import { type Settings } from '../domain/settings';
import type { CalendarDate } from '../rules/calendar';
import { officeToday, type Executor, type ServiceContext } from './context';

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
    await db('settings')
      .insert({ key, value: JSON.stringify(value) })
      .onConflict('key')
      .merge();
  }
}

/** The settings and the office's today (in its time zone): what an import plans against, in its preview and again in its apply. */
export async function settingsAndToday(ctx: ServiceContext, db: Executor): Promise<{ settings: Settings; today: CalendarDate }> {
  const settings = await readSettings(db);
  return { settings, today: officeToday(ctx, settings.timeZone) };
}
