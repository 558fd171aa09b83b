/**
 * Every call the renderer may make, and who may make it. Plain data with no
 * imports, so the preload can bundle it without bringing in main's code.
 */
/**
 * Open to every signed-in user, except for the inputs named: an input whose field holds one of those
 * values needs an admin. Certification programs are changed by admins only, whichever door they use.
 */
const STAFF_EXCEPT_PROGRAMS = { signedIn: true, adminWhen: { field: 'kind', values: ['programs'] } } as const;

export const CALLS = {
  // Answered while the backend starts (main/startup.ts), before any other call.
  'startup.status': 'public',
  'startup.restoreBackup': 'public',
  'startup.firstScreenShown': 'public',
  'app.info': 'public',
  // app.info plus, when signed in, the Tracking page's first screen (checked by its handler): one round trip at start.
  'app.firstScreen': 'public',
  'auth.signIn': 'public',
  'auth.signOut': 'public',
  'auth.createFirstAdmin': 'public',
  // The idle lock (SPEC §6): the page locks the desk; only the same user's password (or another sign-in) opens it.
  'auth.lock': 'signedIn',
  'auth.unlock': 'signedIn',
  'tracking.list': 'signedIn',
  'tracking.page': 'signedIn',
  'tracking.total': 'signedIn',
  'tracking.counts': 'signedIn',
  'tracking.exportCsv': 'signedIn',
  'tracking.getView': 'signedIn',
  'tracking.saveView': 'signedIn',
  'dashboard.summary': 'signedIn',
  'jobs.get': 'signedIn',
  'filters.list': 'signedIn',
  'filters.save': 'signedIn',
  'filters.update': 'signedIn',
  'filters.delete': 'signedIn',
  'records.bulkSetStatus': 'signedIn',
  'imports.preview': STAFF_EXCEPT_PROGRAMS,
  'imports.previewJob': STAFF_EXCEPT_PROGRAMS,
  'imports.apply': STAFF_EXCEPT_PROGRAMS,
  'imports.batchPreview': 'admin',
  'imports.batchApply': 'admin',
  'records.get': 'signedIn',
  'records.enroll': 'signedIn',
  'records.recordApplication': 'signedIn',
  'records.setStatus': 'signedIn',
  'records.completeComponent': 'signedIn',
  'records.removeCompletion': 'signedIn',
  'records.markAllComplete': 'signedIn',
  'records.overrideExpiration': 'signedIn',
  'records.setNotes': 'signedIn',
  'credits.get': 'signedIn',
  'credits.addActivity': 'signedIn',
  'credits.removeActivity': 'signedIn',
  'credits.renew': 'signedIn',
  'credits.categories': 'signedIn',
  'contacts.search': 'signedIn',
  'contacts.create': 'signedIn',
  'contacts.update': 'signedIn',
  'programs.list': 'signedIn',
  'app.openSettings': 'signedIn',
  'app.closeSettings': 'signedIn',
  'tracking.saveExport': 'signedIn',
  'tracking.showExport': 'signedIn',
  'settings.get': 'admin',
  'settings.setTimeZone': 'admin',
  'settings.setEmailTemplate': 'admin',
  'settings.setSync': 'admin',
  'programs.adminList': 'admin',
  'programs.create': 'admin',
  'programs.previewEdit': 'admin',
  'programs.update': 'admin',
  'programs.setArchived': 'admin',
  'programs.setRenewal': 'admin',
  'credits.addCategory': 'admin',
  'credits.removeCategory': 'admin',
  'users.list': 'admin',
  'users.create': 'admin',
  'users.resetPassword': 'admin',
  'users.setDisabled': 'admin',
  'users.setRole': 'admin',
  'users.changes': 'admin',
  'settings.setIdleLock': 'admin',
  'outbox.list': 'admin',
  'sync.status': 'admin',
  'sync.exportNow': 'admin',
  'settings.previewExpiringDays': 'admin',
  'settings.setExpiringDays': 'admin',
  'programs.reminders': 'admin',
  'programs.setReminders': 'admin',
  'checker.run': 'admin',
  'checker.fix': 'admin',
  'checker.fixAll': 'admin',
} as const;

export type CallName = keyof typeof CALLS;

export type Access = (typeof CALLS)[CallName];

/** Whether this call, with this (validated) input, needs an admin. */
export function needsAdmin(access: Access, input: unknown): boolean {
  if (access === 'admin') return true;
  if (typeof access === 'string') return false;
  const value = (input as Record<string, unknown> | null)?.[access.adminWhen.field];
  return (access.adminWhen.values as readonly unknown[]).includes(value);
}

/** The one wording of an admin-only refusal. */
export const ADMIN_ONLY_MESSAGE = 'Only an admin may do this; ask an admin.';

export const CALL_NAMES = Object.keys(CALLS) as CallName[];

/** The Electron IPC channel of a call; main refuses any other channel. */
export const channelOf = (name: CallName): string => `certdesk:${name}`;

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CALLS, name);
}
