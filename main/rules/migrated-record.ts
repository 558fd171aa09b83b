/**
 * A certification record brought over from the previous system (SPEC.md §6,
 * "An association moves in"): what CertDesk stores for the status and dates a
 * file gives, or why the line contradicts itself. Pure, like the engine.
 *
 * - Active, Expiring and Expired are re-derived from the expiration date (the
 *   one given, else the program's rule from the completion or approval date):
 *   a file saying Active for a certificate that lapsed last year gives Expired.
 * - Declined, Inactive, Not Completed and Cancelled are kept as given: only
 *   staff set them.
 * - Applied, In Progress and Admin Review are kept when the dates fit them.
 * - Contradictions are refusals in words, never guesses.
 */
import { calendarDateProblem, compareDates, type CalendarDate } from './calendar';
import { timeStatus, type EngineSettings, type ProgramRules, type Progress } from './engine';
import { computeExpiration } from './expiration';
import { MANUAL_ONLY_STATUSES, TIMED_STATUSES, type Status } from './statuses';

export interface MigratedDates {
  appliedOn: CalendarDate | null;
  startedOn: CalendarDate | null;
  completedOn: CalendarDate | null;
  approvedOn: CalendarDate | null;
  expiresOn: CalendarDate | null;
}

export const DATE_LABELS: Record<keyof MigratedDates, string> = {
  appliedOn: 'Applied date',
  startedOn: 'Started date',
  completedOn: 'Completed date',
  approvedOn: 'Approved date',
  expiresOn: 'Expires date',
};

export interface MigratedRecord extends MigratedDates {
  status: Status;
  /** Why it has this status, in words (the history's rule). */
  rule: string;
  /** The status the file gave, when the engine decided another. */
  rederivedFrom: Status | null;
  /** The file's expiration date differs from the program's rule. */
  expirationOverridden: boolean;
  /** Expiring: one "Certification Expiring" email is due, as for any record that enters Expiring. */
  queueExpiringEmail: boolean;
}

/** Why a text is not a usable date of this kind, or null. */
export function migratedDateProblem(field: keyof MigratedDates, value: string, today: CalendarDate): string | null {
  const problem = calendarDateProblem(value);
  if (problem) return `${DATE_LABELS[field]}: ${problem}`;
  if (field !== 'expiresOn' && compareDates(value, today) > 0) return `${DATE_LABELS[field]} ${value} is in the future (today is ${today}).`;
  return null;
}

/** Dates that must come in this order (each pair: earlier, later). */
const ORDER: Array<[keyof MigratedDates, keyof MigratedDates]> = [
  ['appliedOn', 'startedOn'],
  ['appliedOn', 'completedOn'],
  ['startedOn', 'completedOn'],
  ['completedOn', 'approvedOn'],
];

function filled(dates: MigratedDates, fields: ReadonlyArray<keyof MigratedDates>): Array<keyof MigratedDates> {
  return fields.filter((f) => dates[f] !== null);
}

function listLabels(fields: ReadonlyArray<keyof MigratedDates>): string {
  const labels = fields.map((f) => DATE_LABELS[f]);
  return labels.length <= 1 ? labels.join('') : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1] ?? ''}`;
}

/**
 * Module-level helpers, not closures made per call: migratedRecord runs once per line of a
 * 100,000-line file (issue #15), and every record it answers has one shape.
 */
function refused(reason: string): { refused: string } {
  return { refused: reason };
}

function record(
  dates: MigratedDates,
  status: Status,
  rule: string,
  rederivedFrom: Status | null = null,
  expirationOverridden = false,
  queueExpiringEmail = false,
): MigratedRecord {
  return {
    appliedOn: dates.appliedOn,
    startedOn: dates.startedOn,
    completedOn: dates.completedOn,
    approvedOn: dates.approvedOn,
    expiresOn: dates.expiresOn,
    status,
    rule,
    rederivedFrom,
    expirationOverridden,
    queueExpiringEmail,
  };
}

/** A status the line's later dates contradict ("An Applied record has not started, but the line gives …"), or null. */
function datesTooEarly(dates: MigratedDates, what: string, fields: ReadonlyArray<keyof MigratedDates>): { refused: string } | null {
  const given = filled(dates, fields);
  return given.length > 0 ? refused(`${what}, but the line gives the ${listLabels(given).toLowerCase()}; correct the status or the dates.`) : null;
}

/**
 * The record to store for a line of a migration file, or the contradiction.
 * `dates` are calendar dates already checked by `migratedDateProblem`;
 * `progress` counts the required components the line lists as completed.
 */
export function migratedRecord(input: {
  status: Status;
  dates: MigratedDates;
  program: ProgramRules;
  progress: Progress;
  settings: EngineSettings;
  today: CalendarDate;
}): MigratedRecord | { refused: string } {
  const { status, dates, program, progress, settings, today } = input;
  for (const [early, late] of ORDER) {
    const a = dates[early];
    const b = dates[late];
    if (a !== null && b !== null && compareDates(a, b) > 0) return refused(`${DATE_LABELS[late]} ${b} is before the ${DATE_LABELS[early].toLowerCase()} ${a}.`);
  }
  if (dates.expiresOn !== null && dates.completedOn !== null && compareDates(dates.expiresOn, dates.completedOn) < 0) {
    return refused(`Expires date ${dates.expiresOn} is before the completed date ${dates.completedOn}.`);
  }
  const allDone = progress.requiredTotal > 0 && progress.requiredDone >= progress.requiredTotal;

  if (MANUAL_ONLY_STATUSES.includes(status)) return record(dates, status, `${status} in the previous system; kept as given (only staff set it)`);
  if (status === 'Applied') {
    if (dates.appliedOn === null) return refused('Applied needs an applied date (the day the application was made).');
    return (
      datesTooEarly(dates, 'An Applied record has not started', ['startedOn', 'completedOn', 'approvedOn', 'expiresOn']) ??
      record(dates, status, 'Applied in the previous system; awaiting approval')
    );
  }
  if (status === 'In Progress') {
    const early = datesTooEarly(dates, 'An In Progress record is not completed', ['completedOn', 'approvedOn', 'expiresOn']);
    if (early) return early;
    if (allDone) {
      return refused(
        `Every required component is listed as completed, so the record would not be In Progress; give the completed date and its status, or leave out the component not yet done.`,
      );
    }
    return record(dates, status, `In Progress in the previous system; ${progress.requiredDone} of ${progress.requiredTotal} required components completed`);
  }
  if (dates.completedOn === null) return refused(`${status} needs a completed date.`);
  if (status === 'Admin Review') {
    if (!program.requireCompletionApproval) return refused('Admin Review is only for a certification that requires completion approval; this one does not.');
    return (
      datesTooEarly(dates, 'An Admin Review record is not approved yet', ['approvedOn', 'expiresOn']) ??
      record(dates, status, 'Admin Review in the previous system; completion awaits approval')
    );
  }
  // Active, Expiring, Expired: granted on approval (or on completion when no approval is needed); the time rules decide.
  if (!TIMED_STATUSES.includes(status)) throw new Error(`Unhandled status ${status}`);
  if (program.requireCompletionApproval && dates.approvedOn === null) {
    return refused(`${status} needs an approved date: this certification requires completion approval.`);
  }
  const grantedOn = program.requireCompletionApproval ? (dates.approvedOn as CalendarDate) : dates.completedOn;
  const byRule = computeExpiration(program.expiration, grantedOn);
  const expiresOn = dates.expiresOn ?? byRule;
  const time = timeStatus(expiresOn, settings, today);
  const rederived = time.status !== status;
  return record(
    { ...dates, approvedOn: dates.approvedOn ?? dates.completedOn, expiresOn },
    time.status,
    rederived ? `The file says ${status}; ${time.rule.charAt(0).toLowerCase()}${time.rule.slice(1)}` : time.rule,
    rederived ? status : null,
    dates.expiresOn !== null && dates.expiresOn !== byRule,
    time.status === 'Expiring',
  );
}
