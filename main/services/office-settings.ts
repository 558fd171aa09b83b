/** Admin changes to the Certification General Settings that the rules depend on. */
import { isValidTimeZone } from '../rules/calendar';
import { officeToday, ServiceError, stamp, type Actor, type ServiceContext } from './context';
import { readSettings, writeSettings } from './settings';
import { type Settings } from '../domain/settings';
import { sweepWithin, type SweepResult } from './sweep';

/** What changing n would do, without doing it. */
export async function previewExpiringDays(ctx: ServiceContext, actor: Actor, expiringDays: number): Promise<SweepResult> {
  const settings = { ...(await readSettings(ctx.db)), expiringDays };
  return sweepWithin(ctx.db, { actor, settings, today: officeToday(ctx, settings.timeZone), at: stamp(ctx) }, true);
}

/** Saves n and re-derives every Active / Expiring / Expired status in the same transaction. */
export async function setExpiringDays(ctx: ServiceContext, actor: Actor, expiringDays: number): Promise<SweepResult> {
  if (!Number.isInteger(expiringDays) || expiringDays < 0 || expiringDays > 365) {
    throw new ServiceError('INVALID', 'n must be a whole number of days from 0 to 365.', 'expiringDays');
  }
  return saveAndSweep(ctx, actor, { expiringDays });
}

/** The office time zone decides what "today" is; a change re-derives statuses at once. */
export async function setTimeZone(ctx: ServiceContext, actor: Actor, timeZone: string): Promise<SweepResult> {
  if (!isValidTimeZone(timeZone)) throw new ServiceError('INVALID', `${timeZone} is not a time zone name (e.g. America/New_York).`, 'timeZone');
  return saveAndSweep(ctx, actor, { timeZone });
}

async function saveAndSweep(ctx: ServiceContext, actor: Actor, patch: Partial<Settings>): Promise<SweepResult> {
  return ctx.db.transaction(async (trx) => {
    await writeSettings(trx, patch);
    const settings = await readSettings(trx);
    return sweepWithin(trx, { actor, settings, today: officeToday(ctx, settings.timeZone), at: stamp(ctx) });
  });
}
