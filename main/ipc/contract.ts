/**
 * The IPC contract: for each call, the zod schema its input must pass in main
 * and the type of its result. The renderer's API type derives from this file.
 */
import { z } from 'zod';
import { MAX_IMPORT_BASE64, MAX_IMPORT_BYTES } from './limits';
import { APPLICATION_CHANNELS } from '../domain/application';
import { contactEditSchema, newContactSchema } from '../domain/contact';
import { programSchema } from '../domain/program';
import { reminderScheduleSchema, type Reminder } from '../domain/reminders';
import type { ScheduleSaved } from '../services/reminder-schedule';
import { CHECK_RULE_IDS, type CheckResult, type CheckRuleResult, type CheckFinding } from '../services/record-checker';
import { categoryName, creditActivitySchema, removeActivitySchema, renewalRequirementSchema } from '../domain/renewal';
import type { CreditCategory, RecordCredits } from '../services/credits';
import type { ContactRow, ProgramRow, RecordRow } from '../domain/rows';
import { calendarDate, id, line, lines, newPassword, required, requiredLines } from '../domain/schema-parts';
import { idleLockMinutes, type Settings } from '../domain/settings';
import { filterTreeSchema } from '../filters/filter-schema';
import type { BatchImportResult } from '../import/batch';
import type { CsvImportResult } from '../import/csv-import';
import type { JobStatus } from '../jobs';
import { STATUSES } from '../rules/statuses';
import type { BulkResult } from '../services/bulk';
import type { CsvExportResult } from '../services/csv-export';
import type { DashboardNumber, DashboardProgram, DashboardSelection, DashboardSummary } from '../services/dashboard';
import type { OutboxRow } from '../services/outbox-list';
import type { ProgramChangeEffect, ProgramWithComponents } from '../services/program-admin';
import type { RecordDetail } from '../services/record-detail';
import type { SavedFilter } from '../services/saved-filters';
import type { SweepResult } from '../services/sweep';
import type { TrackingCounts, TrackingPage, TrackingRow } from '../services/tracking';
import type { User, UserChange } from '../services/users';
import type { StartupStatus } from '../domain/startup';
import type { ExportResult } from '../sync/export';
import type { SyncRun } from '../sync/runs';
import type { CallName } from './calls';

const status = z.enum(STATUSES, { error: `Status must be one of: ${STATUSES.join(', ')}.` });
const none = z.object({}).strict();
/*
 * The renderer sees main only through this file (plus the filter field list, the status names and the
 * pure domain modules): every type a call's input or result names is exported here.
 */
export type { CreditCategory, RecordCredits };
export type { BatchImportResult, CsvExportResult, CsvImportResult, ExportResult, JobStatus, OutboxRow, SyncRun };
export type {
  BulkResult,
  ContactRow,
  ProgramRow,
  RecordRow,
  Settings,
  User,
  UserChange,
  ProgramChangeEffect,
  ProgramWithComponents,
  RecordDetail,
  SavedFilter,
  SweepResult,
  TrackingCounts,
  TrackingPage,
  TrackingRow,
};
export type { HistoryRow } from '../domain/rows';
export type { Reminder, ScheduleSaved, CheckResult, CheckRuleResult, CheckFinding };
export type { StartupStatus } from '../domain/startup';
export type { AppEvent } from './events';
export type { ManualMove } from '../rules/engine';
export type { ExpirationRule } from '../rules/expiration';
export type { QuickFilter, SortColumn } from '../services/tracking';
export type { DashboardNumber, DashboardProgram, DashboardSelection, DashboardSummary };

// The renderer bundles this file too, so no node:path here.
const isAbsolutePath = (p: string) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p);

export const SORTABLE = [
  'contactName',
  'email',
  'certification',
  'status',
  'progress',
  'appliedOn',
  'startedOn',
  'completedOn',
  'expiresOn',
  'updatedAt',
  'creditsNeeded',
] as const;

export const quickFilterSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }).strict(),
  z.object({ kind: z.literal('status'), status }).strict(),
  z.object({ kind: z.literal('program'), programId: id }).strict(),
]);

const sortSchema = z.object({ column: z.enum(SORTABLE), direction: z.enum(['asc', 'desc']) }).strict();

/** What the list shows: Quick Filter AND Customize Filter AND name search. */
export const selectionSchema = z
  .object({
    quick: quickFilterSchema,
    filter: filterTreeSchema.nullable().optional(),
    search: line('Search', 200).optional(),
  })
  .strict();

export const viewSchema = selectionSchema.extend({ sort: sortSchema, pageSize: z.number().int().min(1).max(500) }).strict();
export type TrackingView = z.infer<typeof viewSchema>;

export { MAX_IMPORT_BASE64, MAX_IMPORT_BYTES };

/** Standard base64 with its padding (its length a multiple of 4 is checked beside it). */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const CSV_IMPORT_KINDS = ['contacts', 'programs', 'applications', 'records', 'completions'] as const;
export type CsvImportKind = (typeof CSV_IMPORT_KINDS)[number];

const csvImportSchema = z
  .object({
    kind: z.enum(CSV_IMPORT_KINDS),
    // A regular expression, not z.base64(): that decodes the whole file once more (atob), about 100 ms of the main thread at 10 MB.
    data: z
      .string()
      .max(MAX_IMPORT_BASE64, 'The file is larger than 64 MB; split it.')
      .regex(BASE64, 'The file must travel as base64.')
      .refine((s) => s.length % 4 === 0, 'The file must travel as base64.'),
    fileName: line('The file name', 260).optional(),
    mapping: z.record(z.string().max(40), z.string().max(200).nullable()).optional(),
  })
  .strict();

export const INPUTS = {
  'startup.status': none,
  'startup.restoreBackup': none,
  'startup.firstScreenShown': none,
  'app.info': none,
  // tracking: the page opens on the Tracking list, so its first screen comes along.
  'app.firstScreen': z.object({ tracking: z.boolean() }).strict(),
  'auth.signIn': z.object({ username: required('User name', 100), password: z.string().min(1, 'Enter your password.').max(1000) }).strict(),
  'auth.signOut': none,
  'auth.createFirstAdmin': z
    .object({
      username: required('User name', 40),
      displayName: required('Your name', 200),
      password: newPassword,
      loadDemoData: z.boolean(),
    })
    .strict(),
  'tracking.list': selectionSchema
    .extend({ sort: sortSchema, page: z.number().int().min(1).max(1_000_000), pageSize: z.number().int().min(1).max(500) })
    .strict(),
  // The page at once, its total when known without counting; tracking.total counts it (the Tracking page asks both).
  'tracking.page': selectionSchema
    .extend({ sort: sortSchema, page: z.number().int().min(1).max(1_000_000), pageSize: z.number().int().min(1).max(500) })
    .strict(),
  'tracking.total': selectionSchema,
  'tracking.counts': none,
  'tracking.exportCsv': selectionSchema.extend({ sort: sortSchema }).strict(),
  'tracking.getView': none,
  'tracking.saveView': viewSchema,
  'dashboard.summary': none,
  'jobs.get': z.object({ id: z.uuid() }).strict(),
  'filters.list': none,
  'filters.save': z.object({ name: required('A name', 100), tree: filterTreeSchema }).strict(),
  'filters.update': z.object({ id, name: required('A name', 100).optional(), tree: filterTreeSchema.optional() }).strict(),
  'filters.delete': z.object({ id }).strict(),
  'records.bulkSetStatus': z
    .object({
      selection: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('ids'), ids: z.array(id).min(1, 'Select at least one record.').max(100_000) }).strict(),
        selectionSchema.extend({ kind: z.literal('matching') }).strict(),
      ]),
      to: status,
      reason: lines('The reason', 2000).optional(),
    })
    .strict(),
  'records.get': z.object({ id }).strict(),
  'records.enroll': z.object({ contactId: id, programId: id }).strict(),
  'records.recordApplication': z
    .object({ contactId: id, programId: id, appliedOn: calendarDate, channel: z.enum(APPLICATION_CHANNELS), note: lines('The note', 2000).optional() })
    .strict(),
  'records.setStatus': z.object({ id, to: status, reason: lines('The reason', 2000).optional() }).strict(),
  'records.completeComponent': z
    .object({
      recordId: id,
      componentId: id,
      completedOn: calendarDate,
      credits: z.number().min(0).max(10_000).nullable().optional(),
      note: lines('The note', 2000).optional(),
      confirmExpired: z.boolean().optional(),
    })
    .strict(),
  'records.removeCompletion': z.object({ recordId: id, componentId: id, reason: requiredLines('A reason', 2000) }).strict(),
  'records.markAllComplete': z.object({ id, reason: requiredLines('A reason', 2000), confirmExpired: z.boolean().optional() }).strict(),
  'records.overrideExpiration': z
    .object({ id, expiresOn: calendarDate.nullable(), reason: requiredLines('A reason', 2000), confirmExpired: z.boolean().optional() })
    .strict(),
  'records.setNotes': z.object({ id, notes: lines('Notes', 20_000) }).strict(),
  'credits.get': z.object({ id }).strict(),
  'credits.addActivity': creditActivitySchema,
  'credits.removeActivity': removeActivitySchema,
  'credits.renew': z.object({ id }).strict(),
  'credits.categories': none,
  'credits.addCategory': z.object({ name: categoryName }).strict(),
  'credits.removeCategory': z.object({ id }).strict(),
  'programs.setRenewal': z.object({ programId: id, requirement: renewalRequirementSchema.nullable() }).strict(),
  'contacts.search': z.object({ text: line('Search', 200) }).strict(),
  'contacts.create': newContactSchema,
  'contacts.update': contactEditSchema,
  'programs.list': none,
  'imports.preview': csvImportSchema,
  'imports.previewJob': csvImportSchema,
  'imports.apply': csvImportSchema.extend({ expectSha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
  'imports.batchPreview': z.object({ folder: required('Folder', 1000) }).strict(),
  'imports.batchApply': z.object({ folder: required('Folder', 1000) }).strict(),
  'app.openSettings': none,
  'app.closeSettings': none,
  'tracking.saveExport': z.object({ id: z.string().uuid() }).strict(),
  'tracking.showExport': z.object({ id: z.string().uuid() }).strict(),
  'settings.get': none,
  'settings.setTimeZone': z.object({ timeZone: required('Time zone', 64) }).strict(),
  'settings.setEmailTemplate': z.object({ subject: required('Subject', 200), body: requiredLines('Text', 5000) }).strict(),
  'settings.setSync': z
    .object({
      folder: line('Folder', 1000).refine((f) => f === '' || isAbsolutePath(f), 'Give the full path of the folder (e.g. /srv/exports or C:\\Exports).'),
      everyMinutes: z
        .number()
        .int()
        .min(0, '0 turns the schedule off.')
        .max(7 * 24 * 60, 'At most once a week.'),
    })
    .strict(),
  'programs.adminList': none,
  'programs.create': programSchema,
  'programs.previewEdit': z.object({ id, program: programSchema }).strict(),
  'programs.update': z.object({ id, program: programSchema, applyToExisting: z.boolean() }).strict(),
  'programs.setArchived': z.object({ id, archived: z.boolean() }).strict(),
  'users.list': none,
  'users.create': z
    .object({
      username: required('User name', 40),
      displayName: required('Name', 200),
      role: z.enum(['admin', 'staff']),
      password: newPassword,
    })
    .strict(),
  'users.resetPassword': z.object({ id, password: newPassword }).strict(),
  'users.setDisabled': z.object({ id, disabled: z.boolean() }).strict(),
  'users.setRole': z.object({ id, role: z.enum(['admin', 'staff']) }).strict(),
  'users.changes': none,
  'settings.setIdleLock': z.object({ minutes: idleLockMinutes }).strict(),
  'auth.lock': none,
  'auth.unlock': z.object({ password: z.string().min(1, 'Enter your password.').max(1000) }).strict(),
  'outbox.list': z.object({ search: line('Search', 200).optional(), state: z.enum(['queued', 'withdrawn', 'exported', 'all']).optional() }).strict(),
  'sync.status': none,
  'sync.exportNow': none,
  'settings.previewExpiringDays': z.object({ expiringDays: z.number().int().min(0).max(365) }).strict(),
  'settings.setExpiringDays': z.object({ expiringDays: z.number().int().min(0, 'n is 0 or more days.').max(365, 'n is at most 365 days.') }).strict(),
  'programs.reminders': z.object({ programId: id }).strict(),
  'programs.setReminders': z.object({ programId: id, reminders: reminderScheduleSchema }).strict(),
  'checker.run': none,
  'checker.fix': z.object({ rule: z.enum(CHECK_RULE_IDS), recordIds: z.array(id).min(1).max(1000) }).strict(),
  'checker.fixAll': z.object({ rule: z.enum(CHECK_RULE_IDS) }).strict(),
} satisfies Record<CallName, z.ZodType>;

export interface AppInfo {
  version: string;
  today: string;
  timeZone: string;
  expiringDays: number;
  dataDir: string;
  needsFirstAdmin: boolean;
  user: User | null;
  /** The desk is locked: the page shows the lock screen over what it had. */
  locked: boolean;
  /** Lock the desk after this many idle minutes; 0: never. */
  idleLockMinutes: number;
}

/** The Tracking page's first screen: the saved view (null: none yet) and what it shows at once. */
export interface TrackingStart {
  view: TrackingView | null;
  /** The first page; a filtered list's total may follow (tracking.total). */
  list: TrackingPage;
  counts: TrackingCounts;
  programs: ProgramRow[];
  filters: SavedFilter[];
}

/** Everything the first screen needs, in one answer: app.info, and the Tracking page's start when signed in and asked for. */
export interface FirstScreen {
  info: AppInfo;
  tracking: TrackingStart | null;
}

/** What each call answers when it succeeds. */
export interface Results {
  'startup.status': StartupStatus;
  'startup.restoreBackup': { restored: string; movedAside: string | null };
  'startup.firstScreenShown': null;
  'app.info': AppInfo;
  'app.firstScreen': FirstScreen;
  'auth.signIn': User;
  'auth.signOut': null;
  'auth.createFirstAdmin': User;
  'tracking.list': { rows: TrackingRow[]; total: number };
  'tracking.page': TrackingPage;
  'tracking.total': { total: number };
  'tracking.counts': TrackingCounts;
  'tracking.exportCsv': JobStatus<CsvExportResult>;
  'tracking.getView': { view: TrackingView | null };
  'tracking.saveView': null;
  'dashboard.summary': DashboardSummary;
  'jobs.get': JobStatus;
  'filters.list': SavedFilter[];
  'filters.save': SavedFilter;
  'filters.update': SavedFilter;
  'filters.delete': null;
  'records.bulkSetStatus': BulkResult;
  'records.get': RecordDetail;
  'records.enroll': RecordRow;
  'records.recordApplication': RecordRow;
  'records.setStatus': RecordRow;
  'records.completeComponent': RecordRow;
  'records.removeCompletion': RecordRow;
  'records.markAllComplete': RecordRow;
  'records.overrideExpiration': RecordRow;
  'records.setNotes': RecordRow;
  'credits.get': RecordCredits;
  'credits.addActivity': RecordRow;
  'credits.removeActivity': RecordRow;
  'credits.renew': RecordRow;
  'credits.categories': CreditCategory[];
  'credits.addCategory': CreditCategory[];
  'credits.removeCategory': CreditCategory[];
  'programs.setRenewal': ProgramRow;
  'contacts.search': Array<ContactRow & { records: number }>;
  'contacts.create': ContactRow;
  'contacts.update': ContactRow;
  'programs.list': ProgramRow[];
  'imports.preview': CsvImportResult<string>;
  /** The preview as a job, for a progress bar while a big file is read and checked. */
  'imports.previewJob': JobStatus<CsvImportResult<string>>;
  'imports.apply': JobStatus<CsvImportResult<string>>;
  'imports.batchPreview': BatchImportResult;
  'imports.batchApply': JobStatus<BatchImportResult>;
  'app.openSettings': { opened: boolean };
  'app.closeSettings': { closed: boolean };
  /** Desktop: where the user saved it (null: cancelled). Harness: `download` is the URL to fetch it from. */
  'tracking.saveExport': { savedTo: string | null; download: string | null };
  'tracking.showExport': { shown: boolean };
  'settings.get': Settings;
  'settings.setTimeZone': SweepResult;
  'settings.setEmailTemplate': null;
  'settings.setSync': null;
  'programs.adminList': ProgramWithComponents[];
  'programs.create': ProgramRow;
  'programs.previewEdit': ProgramChangeEffect;
  'programs.update': { program: ProgramRow; effect: ProgramChangeEffect };
  'programs.setArchived': ProgramRow;
  'users.list': User[];
  'users.create': User;
  'users.resetPassword': null;
  'users.setDisabled': User;
  'users.setRole': User;
  'users.changes': UserChange[];
  'settings.setIdleLock': null;
  'auth.lock': null;
  'auth.unlock': User;
  'outbox.list': { rows: OutboxRow[]; total: number };
  'sync.status': { deviceId: string | null; checkpoint: number; lastSeq: number; pending: number; runs: SyncRun[]; running: boolean };
  'sync.exportNow': JobStatus<ExportResult>;
  'settings.previewExpiringDays': SweepResult;
  'settings.setExpiringDays': SweepResult;
  'programs.reminders': Reminder[];
  'programs.setReminders': ScheduleSaved;
  'checker.run': JobStatus<CheckResult>;
  'checker.fix': { fixed: number };
  'checker.fixAll': JobStatus<{ fixed: number }>;
}

export type Input<K extends CallName> = z.input<(typeof INPUTS)[K]>;
export type ParsedInput<K extends CallName> = z.output<(typeof INPUTS)[K]>;
export type Result<K extends CallName> = Results[K];

export type ErrorCode =
  | 'UNKNOWN_CALL'
  | 'INVALID'
  | 'TOO_LARGE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  /** The desk is locked: only unlocking, signing out or another sign-in answer. */
  | 'LOCKED'
  /** The session ended under the page (an admin disabled its user): the page shows sign-in with the message. */
  | 'SIGNED_OUT'
  | 'NOT_FOUND'
  | 'REFUSED'
  | 'CONFLICT'
  /** Allowed once confirmed: the message says what happens; the form asks, then sends the call again confirmed. */
  | 'CONFIRM'
  | 'UNTRUSTED_SENDER'
  | 'INTERNAL';

export interface CallError {
  code: ErrorCode;
  /** A sentence staff can read. */
  message: string;
  /** The input field the message is about, for forms. */
  field?: string;
}

/** Errors cross IPC as data, never as thrown exceptions (which lose their details). */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: CallError };
