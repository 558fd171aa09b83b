/**
 * What the window needs before it can show anything, in one call (issue 17): app.info, and — signed in,
 * the desk not locked, on the Tracking page — the saved view, the first page of the list for it, the
 * counts, the programs and the saved filters. One round trip instead of four in a row, each read on the
 * read connection, so a start-up sweep or backup holding the writer never delays the first rows.
 */
import type { Settings } from '../domain/settings';
import { officeToday } from '../services/context';
import { listPrograms } from '../services/programs';
import { listSavedFilters } from '../services/saved-filters';
import { readSettings } from '../services/settings';
import { listTracking, trackingCounts } from '../services/tracking';
import { countUsers, currentUser } from '../services/users';
import { todayIn } from '../rules/calendar';
import { viewSchema, type AppInfo, type FirstScreen, type ParsedInput, type TrackingStart, type TrackingView } from './contract';
import { DEFAULT_TRACKING_VIEW } from './default-view';
import type { HandlerContext } from './handlers';

/** The view staff left the Tracking page with, or null (none saved, or one an older version wrote). */
export function storedView(settings: Settings): TrackingView | null {
  const parsed = settings.trackingFilter ? viewSchema.safeParse(JSON.parse(settings.trackingFilter)) : null;
  return parsed?.success ? parsed.data : null;
}

/** app.info: the office's day and settings, and who is signed in (a disabled user is signed out here). */
export async function appInfo(ctx: HandlerContext, settings?: Settings): Promise<AppInfo> {
  const read = { ...ctx.services, db: ctx.reader };
  const s = settings ?? (await readSettings(ctx.reader));
  return {
    version: ctx.version,
    today: todayIn(s.timeZone, ctx.services.clock.now()),
    timeZone: s.timeZone,
    expiringDays: s.expiringDays,
    dataDir: ctx.dataDir,
    needsFirstAdmin: (await countUsers(read)) === 0,
    user: ctx.session.user && (ctx.session.user = await currentUser(read, ctx.session.user.id)),
    locked: ctx.session.user !== null && ctx.session.locked,
    idleLockMinutes: s.idleLockMinutes,
  };
}

async function trackingStart(ctx: HandlerContext, settings: Settings): Promise<TrackingStart> {
  const saved = storedView(settings);
  const view = saved ?? DEFAULT_TRACKING_VIEW;
  const day = view.filter ? { today: officeToday(ctx.services, settings.timeZone), timeZone: settings.timeZone } : {};
  // The rows first: they are what staff wait for (one read connection answers these one after the other).
  const list = await listTracking(ctx.reader, {
    quick: view.quick,
    filter: view.filter ?? null,
    search: view.search ?? '',
    sort: view.sort,
    page: 1,
    pageSize: view.pageSize,
    ...day,
  });
  const counts = await trackingCounts(ctx.reader);
  const programs = await listPrograms(ctx.reader);
  const filters = await listSavedFilters({ ...ctx.services, db: ctx.reader });
  return { view: saved, list, counts, programs, filters };
}

export async function firstScreen(ctx: HandlerContext, input: ParsedInput<'app.firstScreen'>): Promise<FirstScreen> {
  const settings = await readSettings(ctx.reader);
  const info = await appInfo(ctx, settings);
  const tracking = input.tracking && info.user && !info.locked ? await trackingStart(ctx, settings) : null;
  return { info, tracking };
}
