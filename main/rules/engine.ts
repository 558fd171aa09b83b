/**
 * The status rules engine (SPEC.md §2). Pure: plain functions of a record, its
 * program, its component progress, the settings and today's date. It imports no
 * Electron, database or file system, so every rule is unit-tested directly.
 */
import { addDays, compareDates, type CalendarDate } from './calendar';
import { computeExpiration } from './expiration';
import { type ExpirationRule } from './expiration';
import { STATUSES, type Status } from './statuses';

export interface ProgramRules {
  requireApproval: boolean;
  requireCompletionApproval: boolean;
  expiration: ExpirationRule;
}

export interface RecordState {
  status: Status;
  completedOn: CalendarDate | null;
  approvedOn: CalendarDate | null;
  expiresOn: CalendarDate | null;
}

export interface Progress {
  requiredTotal: number;
  requiredDone: number;
  /** The day the latest required component was completed; a late entry dates the certification from it. */
  lastCompletedOn?: CalendarDate | null;
}

export interface EngineSettings {
  /** "Send 'Certification Expiring' Emails n Days Before Expiration"; 0 turns Expiring off. */
  expiringDays: number;
}

/** Date fields a decision sets on the record; absent fields stay as they are. */
export interface DateChanges {
  startedOn?: CalendarDate;
  completedOn?: CalendarDate | null;
  approvedOn?: CalendarDate | null;
  expiresOn?: CalendarDate | null;
}

export interface Decision {
  status: Status;
  /** The rule that decided, in words staff can read; it goes into the history. */
  rule: string;
  changes: DateChanges;
  /** True when this decision moves the record into Expiring: one email is due. */
  queueExpiringEmail: boolean;
  /** Renewal: component progress starts over in a new cycle. */
  startsNewCycle: boolean;
}

function decision(status: Status, rule: string, changes: DateChanges = {}): Decision {
  return { status, rule, changes, queueExpiringEmail: false, startsNewCycle: false };
}

// ---------------------------------------------------------------------------
// Enrollment

export type EnrollmentSource = 'application' | 'back-office';

export function statusOnEnrollment(source: EnrollmentSource, program: ProgramRules, today: CalendarDate): Decision {
  if (source === 'back-office') {
    return decision('In Progress', 'Added to the certification by staff from the back office', { startedOn: today });
  }
  if (program.requireApproval) {
    return decision('Applied', 'Applied to a certification that requires approval');
  }
  return decision('In Progress', 'Applied to a certification that does not require approval', { startedOn: today });
}

// ---------------------------------------------------------------------------
// Time rules

/** Active, Expiring or Expired for a certification valid through `expiresOn`. */
export function timeStatus(
  expiresOn: CalendarDate | null,
  settings: EngineSettings,
  today: CalendarDate,
): { status: 'Active' | 'Expiring' | 'Expired'; rule: string } {
  if (expiresOn === null) return { status: 'Active', rule: 'Certification does not expire' };
  if (compareDates(today, expiresOn) > 0) {
    return { status: 'Expired', rule: `Expiration date ${expiresOn} has passed` };
  }
  const n = settings.expiringDays;
  if (n > 0 && compareDates(addDays(expiresOn, -n), today) <= 0) {
    return { status: 'Expiring', rule: `Expires on ${expiresOn}, within ${n} day${n === 1 ? '' : 's'}` };
  }
  return {
    status: 'Active',
    rule: n > 0 ? `Expires on ${expiresOn}, more than ${n} days away` : `Valid through ${expiresOn}; Expiring is off (n = 0)`,
  };
}

function timed(from: Status, expiresOn: CalendarDate | null, settings: EngineSettings, today: CalendarDate, prefix = ''): Decision {
  const { status, rule } = timeStatus(expiresOn, settings, today);
  return {
    status,
    rule: prefix ? `${prefix}; ${rule.charAt(0).toLowerCase()}${rule.slice(1)}` : rule,
    changes: {},
    queueExpiringEmail: status === 'Expiring' && from !== 'Expiring',
    startsNewCycle: false,
  };
}

// ---------------------------------------------------------------------------
// Completion

function completionDecision(
  from: Status,
  program: ProgramRules,
  settings: EngineSettings,
  today: CalendarDate,
  how: string,
  completedOn: CalendarDate = today,
): Decision {
  if (program.requireCompletionApproval) {
    return decision('Admin Review', `${how}; the certification requires admin approval for completion`, { completedOn });
  }
  // Valid from the day the work was completed, even when it is entered later.
  const expiresOn = computeExpiration(program.expiration, completedOn);
  const d = timed(from, expiresOn, settings, today, how);
  d.changes = { completedOn, approvedOn: completedOn, expiresOn };
  return d;
}

/**
 * The status a record should have now, and why. Completion is judged only for
 * records In Progress; time rules only for Active, Expiring and Expired; every
 * other status is kept because only staff set it.
 */
export function evaluate(input: { record: RecordState; program: ProgramRules; progress: Progress; settings: EngineSettings; today: CalendarDate }): Decision {
  const { record, program, progress, settings, today } = input;
  switch (record.status) {
    case 'In Progress':
      if (progress.requiredTotal > 0 && progress.requiredDone >= progress.requiredTotal) {
        const on = progress.lastCompletedOn && compareDates(progress.lastCompletedOn, today) < 0 ? progress.lastCompletedOn : today;
        return completionDecision(record.status, program, settings, today, 'Every required component is completed', on);
      }
      return decision('In Progress', `${progress.requiredDone} of ${progress.requiredTotal} required components completed`);
    case 'Active':
    case 'Expiring':
    case 'Expired':
      return timed(record.status, record.expiresOn, settings, today);
    default:
      return decision(record.status, `${record.status} is set by staff only; no automatic rule changes it`);
  }
}

/**
 * "Mark all complete": work completed elsewhere. The only way to complete a
 * certification that has no required component.
 */
export function markAllComplete(record: RecordState, program: ProgramRules, settings: EngineSettings, today: CalendarDate): Decision | Refusal {
  if (record.status !== 'In Progress') {
    return refuse(
      `Mark all complete works on records In Progress; this record is ${record.status}.` +
        (record.status === 'Applied' ? ' Approve the application first (set In Progress).' : ''),
    );
  }
  return completionDecision(record.status, program, settings, today, 'All components marked complete by staff');
}

// ---------------------------------------------------------------------------
// Manual moves (the staff table)

export interface Refusal {
  allowed: false;
  reason: string;
}

function refuse(reason: string): Refusal {
  return { allowed: false, reason };
}

export interface ManualMove {
  to: Status;
  /** What the move means to staff ("approve", "renew"...). */
  label: string;
  reasonRequired: boolean;
}

const MOVES: Record<Status, ManualMove[]> = {
  Applied: [
    { to: 'In Progress', label: 'Approve application', reasonRequired: false },
    { to: 'Declined', label: 'Decline application', reasonRequired: true },
    { to: 'Cancelled', label: 'Cancel certification', reasonRequired: true },
  ],
  'In Progress': [
    { to: 'Inactive', label: 'Mark inactive', reasonRequired: true },
    { to: 'Not Completed', label: 'Mark not completed', reasonRequired: true },
    { to: 'Cancelled', label: 'Cancel certification', reasonRequired: true },
  ],
  'Admin Review': [
    { to: 'Active', label: 'Approve completion', reasonRequired: false },
    { to: 'In Progress', label: 'Send back', reasonRequired: true },
    { to: 'Cancelled', label: 'Cancel certification', reasonRequired: true },
  ],
  Inactive: [
    { to: 'In Progress', label: 'Resume', reasonRequired: false },
    { to: 'Not Completed', label: 'Mark not completed', reasonRequired: true },
    { to: 'Cancelled', label: 'Cancel certification', reasonRequired: true },
  ],
  'Not Completed': [
    { to: 'In Progress', label: 'Reopen', reasonRequired: false },
    { to: 'Cancelled', label: 'Cancel certification', reasonRequired: true },
  ],
  Declined: [
    { to: 'In Progress', label: 'Reconsider', reasonRequired: false },
    { to: 'Cancelled', label: 'Cancel certification', reasonRequired: true },
  ],
  Active: [{ to: 'Cancelled', label: 'Cancel certification', reasonRequired: true }],
  Expiring: [{ to: 'Cancelled', label: 'Cancel certification', reasonRequired: true }],
  Expired: [{ to: 'In Progress', label: 'Renew (new cycle)', reasonRequired: false }],
  Cancelled: [{ to: 'In Progress', label: 'Reinstate', reasonRequired: false }],
};

/** The moves staff may make from a status, in the order the record screen offers them. */
export function allowedMoves(from: Status): readonly ManualMove[] {
  return MOVES[from];
}

function list(statuses: string[]): string {
  if (statuses.length <= 1) return statuses.join('');
  return `${statuses.slice(0, -1).join(', ')} or ${statuses[statuses.length - 1] ?? ''}`;
}

function whyRefused(from: Status, to: Status): string {
  const head = `Not allowed from ${from} to ${to}:`;
  if (from === to) return `The record is already ${to}.`;
  if (to === 'Expiring' || to === 'Expired') {
    return `${head} Expiring and Expired follow the expiration date; change the expiration date instead.`;
  }
  if (to === 'Applied') return `${head} Applied is set only when a contact applies to a certification that requires approval.`;
  if (to === 'Admin Review') {
    return `${head} Admin Review is reached when every required component is completed on a certification that requires completion approval.`;
  }
  if (to === 'Active') {
    if (from === 'Applied') return `${head} approve the application first (set In Progress), then record the completed components.`;
    if (from === 'In Progress') return `${head} Active follows completion; record the completed components or use Mark all complete.`;
    if (from === 'Expired') return `${head} renew the certification (set In Progress) or change the expiration date.`;
  }
  const options = MOVES[from].map((m) => m.to);
  return `${head} from ${from} staff may set ${list(options)}.`;
}

export type MovePlan = ({ allowed: true } & Decision) | Refusal;

/**
 * Plans a manual status change: refused with a sentence that says why and what
 * to do, or allowed with the resulting status, dates and rule.
 */
export function planManualMove(input: {
  record: RecordState;
  to: Status;
  reason: string | null;
  program: ProgramRules;
  progress: Progress;
  settings: EngineSettings;
  today: CalendarDate;
  /** A renewal by CE credits awaiting approval: its next expiration date is already set and is kept. */
  renewalExpiresOn?: CalendarDate | null;
}): MovePlan {
  const { record, to, program, progress, settings, today } = input;
  const move = MOVES[record.status].find((m) => m.to === to);
  if (!move) return refuse(whyRefused(record.status, to));
  const reason = input.reason?.trim() ?? '';
  if (move.reasonRequired && reason === '') {
    return refuse(`A reason is required to ${move.label.toLowerCase()} (${record.status} → ${to}).`);
  }
  const rule = `${move.label} by staff`;

  if (record.status === 'Admin Review' && to === 'Active') {
    // The certification is granted on approval; its expiration counts from that day (a renewal keeps the date it was given).
    const expiresOn = input.renewalExpiresOn ?? computeExpiration(program.expiration, today);
    const d = timed(record.status, expiresOn, settings, today, rule);
    d.changes = { approvedOn: today, expiresOn };
    return { allowed: true, ...d };
  }
  if (record.status === 'Expired' && to === 'In Progress') {
    return {
      allowed: true,
      ...decision('In Progress', `${rule}; component progress starts over`, {
        startedOn: today,
        completedOn: null,
        approvedOn: null,
        expiresOn: null,
      }),
      startsNewCycle: true,
    };
  }
  if (record.status === 'Admin Review' && to === 'In Progress') {
    return { allowed: true, ...decision('In Progress', rule, { completedOn: null }) };
  }
  if (to === 'In Progress') {
    // Resuming work: components already completed count at once (credits earned
    // before an application is approved count once it is approved).
    const startedOn = record.status === 'Applied' || record.status === 'Declined' ? { startedOn: today } : {};
    const next = evaluate({ record: { ...record, status: 'In Progress' }, program, progress, settings, today });
    if (next.status !== 'In Progress') {
      return { allowed: true, ...next, rule: `${rule}; ${next.rule.charAt(0).toLowerCase()}${next.rule.slice(1)}`, changes: { ...startedOn, ...next.changes } };
    }
    return { allowed: true, ...decision('In Progress', rule, startedOn) };
  }
  return { allowed: true, ...decision(to, rule) };
}

/** Every status with the statuses staff may set from it; used by tests and the record screen. */
export const MANUAL_TABLE: ReadonlyArray<readonly [Status, readonly Status[]]> = STATUSES.map((s) => [s, MOVES[s].map((m) => m.to)] as const);
