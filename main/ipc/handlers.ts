/** The handler table: one function per call, each a thin step from validated input to a service. */
import type { CallName } from './calls';
import { releaseMemory } from '../db/release-memory';
import type { ParsedInput, Result } from './contract';
import { type Actor, officeToday, type ServiceContext, ServiceError } from '../services/context';
import { createContact, searchContacts, updateContact } from '../services/contacts';
import { previewExpiringDays, setExpiringDays, setTimeZone } from '../services/office-settings';
import { recordDetail } from '../services/record-detail';
import {
  addActivity,
  addCategory,
  listCategories,
  recordCredits,
  removeActivity,
  removeCategory,
  renewByCredits,
  setRenewalRequirement,
} from '../services/credits';
import { completeComponent, removeCompletion } from '../services/completions';
import { enroll, recordApplication, markAllComplete, overrideExpiration, setNotes, setStatus } from '../services/records';
import { readSettings, readSetting, writeSettings } from '../services/settings';
import { countTracking, listTracking, matching, pageTracking, trackingCounts } from '../services/tracking';
import { BULK_LIMIT, bulkSetStatus } from '../services/bulk';
import { dashboardSummary } from '../services/dashboard';
import { exportTrackingCsv } from '../services/csv-export';
import type { Db } from '../db/database';
import type { Jobs, JobStatus } from '../jobs';
import type { JobProgress } from '../domain/progress';
import { deleteFilter, listSavedFilters, saveFilter, updateFilter } from '../services/saved-filters';
import { appInfo, firstScreen, storedView } from './first-screen';
import path from 'node:path';
import {
  actorOf,
  authenticate,
  createFirstAdmin,
  createUser,
  listUserChanges,
  listUsers,
  resetPassword,
  setUserDisabled,
  setUserRole,
  type User,
} from '../services/users';
import { listOutbox } from '../services/outbox-list';
import { previewProgramEdit, programsForAdmin, setProgramArchived, updateProgram } from '../services/program-admin';
import { createProgram, listPrograms } from '../services/programs';
import type { Scheduler } from '../scheduler';
import { listSyncRuns } from '../sync/runs';
import { applyApplicationsCsv, previewApplicationsCsv } from '../import/applications-csv';
import { applyRecordsCsv, previewRecordsCsv } from '../import/records-csv';
import { applyCompletionsCsv, previewCompletionsCsv } from '../import/completions-csv';
import { applyBatchImport, previewBatchImport } from '../import/batch';
import { applyContactsCsv, previewContactsCsv } from '../import/contacts-csv';
import { applyProgramsCsv, previewProgramsCsv } from '../import/programs-csv';
import { bytesOfBase64 } from '../import/base64';
import { readSyncState } from '../sync/state';
import { getReminderSchedule, saveReminderSchedule } from '../services/reminder-schedule';
import { checkRecords, fixAll, fixRecords } from '../services/record-checker';

/** Who is signed in; one per app window set (desktop) or per harness server. */
export class Session {
  user: User | null = null;
  /** Locked after the idle time (SPEC §6): until the same user's password or another sign-in, calls are refused. */
  locked = false;
}

/** What only the desktop app can do (dialogs, windows, the file manager); absent in the browser harness. */
export interface DesktopActions {
  closeSettingsWindow(): void;
  /** Asks where to save `file` and copies it there; the path, or null when the user cancelled. */
  saveFileAs(file: string, suggestedName: string): Promise<string | null>;
  showInFolder(file: string): void;
}

export interface HandlerContext {
  services: ServiceContext;
  /** The read connection (db/reader.ts): what staff browse never waits for a write. */
  reader: Db;
  jobs: Jobs;
  scheduler: Scheduler;
  openSettingsWindow?: () => void;
  desktop?: DesktopActions;
  /** Where each CSV export (by job id) was saved: "Show in folder" names a job, never a path. */
  savedExports: Map<string, string>;
  session: Session;
  dataDir: string;
  version: string;
}

type Handler<K extends CallName> = (ctx: HandlerContext, input: ParsedInput<K>) => Promise<Result<K>>;
export type HandlerTable = { [K in CallName]: Handler<K> };

/** The signed-in user as the author of a change (calls that need one are refused before this runs). */
/** A call that changes many records at once gives back the memory it read into the caches when done (as jobs do). */
function releasing<T>(ctx: HandlerContext, work: Promise<T>): Promise<T> {
  return work.finally(() => void releaseMemory(ctx.services.db, ctx.reader));
}

function actor(ctx: HandlerContext): Actor {
  if (!ctx.session.user) throw new ServiceError('UNAUTHENTICATED', 'Sign in first.');
  return actorOf(ctx.session.user);
}

/** The file's bytes out of their base64 transport, in slices (base64.ts); main decodes them (UTF-8, UTF-16, Windows-1252). */
async function csvInput<T extends { data: string }>(input: T): Promise<Omit<T, 'data'> & { bytes: Buffer }> {
  const { data, ...rest } = input;
  return { ...rest, bytes: await bytesOfBase64(data) };
}

/** What importing a CSV file would do (nothing written); `job` hears how far reading it got. */
async function previewCsv(ctx: HandlerContext, input: ParsedInput<'imports.preview'>, job?: JobProgress): Promise<Result<'imports.preview'>> {
  // Taking the file out of its transport is the first part of reading it.
  job?.progress(0, null, 'Reading the file');
  const { kind, ...csv } = await csvInput(input);
  if (kind === 'programs') return previewProgramsCsv(ctx.services.db, csv, job);
  if (kind === 'applications') return previewApplicationsCsv(ctx.services, csv, job);
  if (kind === 'records') return previewRecordsCsv(ctx.services, csv, job);
  if (kind === 'completions') return previewCompletionsCsv(ctx.services, csv, job);
  return previewContactsCsv(ctx.services.db, csv, job);
}

/** The apply job of a CSV import: the file is decoded inside the job, so the call answers at once. */
function applyCsv(ctx: HandlerContext, input: ParsedInput<'imports.apply'>): JobStatus<Result<'imports.preview'>> {
  const who = actor(ctx);
  const appliers = {
    programs: applyProgramsCsv,
    applications: applyApplicationsCsv,
    records: applyRecordsCsv,
    completions: applyCompletionsCsv,
    contacts: applyContactsCsv,
  } as const;
  return ctx.jobs.start(`import-${input.kind}`, async (job) => {
    const { kind, ...csv } = await csvInput(input);
    return appliers[kind](ctx.services, who, csv, job);
  });
}

/** The office's date and time zone, for a Customize Filter's dates ("Last change" is an instant, compared by the office's day). */
async function officeDay(ctx: HandlerContext): Promise<{ today: string; timeZone: string }> {
  const timeZone = await readSetting(ctx.reader, 'timeZone');
  return { today: officeToday(ctx.services, timeZone), timeZone };
}

function exportFile(ctx: HandlerContext): string {
  const at = ctx.services.clock.now().toISOString().replace(/[:.]/g, '-');
  return path.join(ctx.dataDir, 'exports', `tracking-${at}.csv`);
}

export const handlers: HandlerTable = {
  // The start-up gate (main/startup.ts) answers these until the backend is ready; once it is, they land here.
  'startup.status': () =>
    Promise.resolve({ phase: 'ready', message: 'Ready', plan: [], step: 0, steps: 0, done: null, total: null, refused: null, background: null } as const),
  'startup.restoreBackup': () => Promise.reject(new ServiceError('REFUSED', 'The database is open; there is nothing to restore.')),
  // The gate starts start-up's background work on it; with no gate (scripts, tests) there is nothing to start.
  'startup.firstScreenShown': () => Promise.resolve(null),
  'app.info': (ctx) => appInfo(ctx),
  'app.firstScreen': (ctx, input) => firstScreen(ctx, input),
  'auth.signIn': async (ctx, input) => {
    // On a locked desk another user may sign in instead: the desk is theirs, unlocked.
    ctx.session.user = await authenticate(ctx.services, input.username, input.password);
    ctx.session.locked = false;
    return ctx.session.user;
  },
  'auth.signOut': (ctx) => {
    ctx.session.user = null;
    ctx.session.locked = false;
    return Promise.resolve(null);
  },
  'auth.lock': (ctx) => {
    ctx.session.locked = true;
    return Promise.resolve(null);
  },
  'auth.unlock': async (ctx, input) => {
    const username = ctx.session.user?.username;
    if (!username) throw new ServiceError('UNAUTHENTICATED', 'Sign in first.');
    // The same throttle as signing in: the lock screen is no way round it.
    const user = await authenticate(ctx.services, username, input.password, 'Wrong password.');
    ctx.session.user = user;
    ctx.session.locked = false;
    return user;
  },
  'auth.createFirstAdmin': async (ctx, input) => {
    const user = await createFirstAdmin(ctx.services, input);
    ctx.session.user = user;
    // Loaded only when asked for: faker takes a quarter of a second to load.
    if (input.loadDemoData) await (await import('../services/demo')).loadDemoData(ctx.services, actorOf(user));
    return user;
  },
  // The office date is read only when a Customize Filter may need it.
  'tracking.list': async (ctx, input) => listTracking(ctx.reader, { ...input, ...(input.filter ? await officeDay(ctx) : {}) }),
  'tracking.page': async (ctx, input) => pageTracking(ctx.reader, { ...input, ...(input.filter ? await officeDay(ctx) : {}) }),
  'tracking.total': async (ctx, input) => ({ total: await countTracking(ctx.reader, { ...input, ...(input.filter ? await officeDay(ctx) : {}) }) }),
  'tracking.counts': (ctx) => trackingCounts(ctx.reader),
  'tracking.exportCsv': async (ctx, input) => {
    const query = { ...input, ...(await officeDay(ctx)) };
    const file = exportFile(ctx);
    return ctx.jobs.start('export-csv', (job) => exportTrackingCsv(ctx.services.db, query, file, job));
  },
  'dashboard.summary': async (ctx) => dashboardSummary(ctx.services.db, await officeDay(ctx)),
  'tracking.getView': async (ctx) => ({ view: storedView(await readSettings(ctx.services.db)) }),
  'tracking.saveView': async (ctx, input) => {
    await writeSettings(ctx.services.db, { trackingFilter: JSON.stringify(input) });
    return null;
  },
  'jobs.get': (ctx, input) => {
    const job = ctx.jobs.get(input.id);
    if (!job) throw new ServiceError('NOT_FOUND', 'That export or import is no longer known (CertDesk was restarted).');
    return Promise.resolve(job);
  },
  'filters.list': (ctx) => listSavedFilters(ctx.services),
  'filters.save': (ctx, input) => saveFilter(ctx.services, actor(ctx), input),
  'filters.update': (ctx, input) => updateFilter(ctx.services, input),
  'filters.delete': async (ctx, input) => {
    await deleteFilter(ctx.services, input.id);
    return null;
  },
  'records.bulkSetStatus': async (ctx, input) => {
    const { selection } = input;
    let ids: number[];
    if (selection.kind === 'ids') ids = selection.ids;
    else {
      const rows = (await matching(ctx.services.db, { ...selection, ...(await officeDay(ctx)) })
        .select('r.id')
        .limit(BULK_LIMIT + 1)) as Array<{ id: number }>;
      ids = rows.map((r) => r.id);
    }
    return releasing(ctx, bulkSetStatus(ctx.services, actor(ctx), { ids, to: input.to, reason: input.reason }));
  },
  'records.get': (ctx, input) => recordDetail(ctx.reader, input.id),
  'records.enroll': (ctx, input) => enroll(ctx.services, actor(ctx), { ...input, source: 'back-office' }),
  'records.recordApplication': (ctx, input) => recordApplication(ctx.services, actor(ctx), input),
  'records.setStatus': (ctx, input) => setStatus(ctx.services, actor(ctx), input),
  'records.completeComponent': (ctx, input) => completeComponent(ctx.services, actor(ctx), input),
  'records.removeCompletion': (ctx, input) => removeCompletion(ctx.services, actor(ctx), input),
  'records.markAllComplete': (ctx, input) => markAllComplete(ctx.services, actor(ctx), input),
  'records.overrideExpiration': (ctx, input) => overrideExpiration(ctx.services, actor(ctx), input),
  'records.setNotes': (ctx, input) => setNotes(ctx.services, actor(ctx), input),
  'credits.get': (ctx, input) => recordCredits(ctx.services, input.id),
  'credits.addActivity': (ctx, input) => addActivity(ctx.services, actor(ctx), input),
  'credits.removeActivity': (ctx, input) => removeActivity(ctx.services, actor(ctx), input),
  'credits.renew': (ctx, input) => renewByCredits(ctx.services, actor(ctx), input),
  'credits.categories': (ctx) => listCategories(ctx.services.db),
  'credits.addCategory': (ctx, input) => addCategory(ctx.services, input.name),
  'credits.removeCategory': (ctx, input) => removeCategory(ctx.services, input.id),
  'programs.setRenewal': (ctx, input) => setRenewalRequirement(ctx.services, input),
  'contacts.search': (ctx, input) => searchContacts(ctx.services.db, input.text),
  'contacts.create': (ctx, input) => createContact(ctx.services, input),
  'contacts.update': (ctx, input) => updateContact(ctx.services, input),
  'programs.list': (ctx) => listPrograms(ctx.services.db),
  // The preview reads many pages of the database: given back when it answers, as after a job.
  'imports.preview': (ctx, input) => releasing(ctx, previewCsv(ctx, input)),
  'imports.previewJob': (ctx, input) => Promise.resolve(ctx.jobs.start('import-preview', (job) => previewCsv(ctx, input, job))),
  'imports.apply': (ctx, input) => Promise.resolve(applyCsv(ctx, input)),
  'imports.batchPreview': (ctx, input) => previewBatchImport(ctx.services.db, input.folder, ctx.services),
  'imports.batchApply': (ctx, input) => {
    const who = actor(ctx);
    return Promise.resolve(ctx.jobs.start('import-batch', (job) => applyBatchImport(ctx.services, who, input.folder, job)));
  },
  'app.closeSettings': (ctx) => {
    if (!ctx.desktop) return Promise.resolve({ closed: false });
    ctx.desktop.closeSettingsWindow();
    return Promise.resolve({ closed: true });
  },
  'tracking.saveExport': async (ctx, input) => {
    const result = ctx.jobs.get(input.id);
    const file = result?.state === 'done' ? (result.result as { file?: string } | null)?.file : undefined;
    if (!file) throw new ServiceError('NOT_FOUND', 'That export is not finished or is no longer known (CertDesk was restarted).');
    if (!ctx.desktop) return { savedTo: null, download: `/exports/${input.id}` };
    const savedTo = await ctx.desktop.saveFileAs(file, path.basename(file));
    if (savedTo) ctx.savedExports.set(input.id, savedTo);
    return { savedTo, download: null };
  },
  'tracking.showExport': (ctx, input) => {
    const saved = ctx.savedExports.get(input.id);
    if (!ctx.desktop || !saved) return Promise.resolve({ shown: false });
    ctx.desktop.showInFolder(saved);
    return Promise.resolve({ shown: true });
  },
  'app.openSettings': (ctx) => {
    if (!ctx.openSettingsWindow) return Promise.resolve({ opened: false });
    ctx.openSettingsWindow();
    return Promise.resolve({ opened: true });
  },
  'settings.get': (ctx) => readSettings(ctx.services.db),
  'settings.setTimeZone': async (ctx, input) => {
    const result = await setTimeZone(ctx.services, actor(ctx), input.timeZone);
    // The after-midnight sweep follows the new zone at once, not at the next start.
    await ctx.scheduler.rescheduleMidnight();
    return result;
  },
  'settings.setEmailTemplate': async (ctx, input) => {
    await writeSettings(ctx.services.db, { expiringEmailSubject: input.subject, expiringEmailBody: input.body });
    return null;
  },
  'settings.setSync': async (ctx, input) => {
    await writeSettings(ctx.services.db, { syncFolder: input.folder, syncEveryMinutes: input.everyMinutes });
    return null;
  },
  'programs.adminList': (ctx) => programsForAdmin(ctx.services.db),
  'programs.create': (ctx, input) => createProgram(ctx.services, input),
  'programs.previewEdit': (ctx, input) => previewProgramEdit(ctx.services, actor(ctx), input.id, input.program),
  'programs.update': (ctx, input) => updateProgram(ctx.services, actor(ctx), input.id, input.program, input.applyToExisting),
  'programs.setArchived': (ctx, input) => setProgramArchived(ctx.services, input.id, input.archived),
  'users.list': (ctx) => listUsers(ctx.services),
  'users.create': (ctx, input) => createUser(ctx.services, input, false, actor(ctx)),
  'users.resetPassword': async (ctx, input) => {
    await resetPassword(ctx.services, input.id, input.password, actor(ctx));
    return null;
  },
  'users.setDisabled': (ctx, input) => setUserDisabled(ctx.services, actor(ctx), input.id, input.disabled),
  'users.setRole': (ctx, input) => setUserRole(ctx.services, actor(ctx), input.id, input.role),
  'users.changes': (ctx) => listUserChanges(ctx.services),
  'settings.setIdleLock': async (ctx, input) => {
    await writeSettings(ctx.services.db, { idleLockMinutes: input.minutes });
    return null;
  },
  'outbox.list': (ctx, input) => listOutbox(ctx.services.db, input),
  'sync.status': async (ctx) => ({
    ...(await readSyncState(ctx.services.db)),
    runs: listSyncRuns(ctx.dataDir, 50),
    running: ctx.scheduler.isExporting,
  }),
  'sync.exportNow': (ctx) => Promise.resolve(ctx.jobs.start('sync-export', (job) => ctx.scheduler.exportNow('manual', job))),
  'settings.previewExpiringDays': (ctx, input) => previewExpiringDays(ctx.services, actor(ctx), input.expiringDays),
  'settings.setExpiringDays': (ctx, input) => releasing(ctx, setExpiringDays(ctx.services, actor(ctx), input.expiringDays)),
  'programs.reminders': (ctx, input) => getReminderSchedule(ctx.services.db, input.programId),
  'programs.setReminders': (ctx, input) => saveReminderSchedule(ctx.services, input.programId, input.reminders),
  'checker.run': (ctx) => Promise.resolve(ctx.jobs.start('record-check', (job) => checkRecords(ctx.services, job))),
  'checker.fix': (ctx, input) => fixRecords(ctx.services, actor(ctx), input.rule, input.recordIds),
  'checker.fixAll': (ctx, input) => {
    const who = actor(ctx);
    return Promise.resolve(ctx.jobs.start('record-fix', (job) => fixAll(ctx.services, who, input.rule, job)));
  },
};
