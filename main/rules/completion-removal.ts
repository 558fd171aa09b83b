/**
 * Undoing a completion entered by mistake (issue #15). Pure, like the engine.
 *
 * The rule: a completion of the record's current cycle can be removed, and the
 * engine re-decides with the work that is left.
 * - Applied, In Progress, Inactive: the completion goes; the status stays (it
 *   was not complete).
 * - Admin Review: a required component removed sends the record back to In
 *   Progress (its completion date cleared); an optional one changes nothing.
 * - Active: while the certificate was earned by the completions of this cycle
 *   (every required component done) and nothing else rests on it — no staff
 *   approval (Require Completion Approval) and no expiration date set by hand —
 *   removing a required component takes the certificate back: In Progress, its
 *   completion, approval and expiration dates cleared. An optional component,
 *   or a certificate granted by "Mark all complete", stays Active.
 * - Anything else is refused with the reason: Expiring and Expired (emails and
 *   renewals follow the date), the staff-set statuses (Cancelled, Declined, Not
 *   Completed: reopen first), and a completion of an earlier cycle (a renewal
 *   rests on it).
 */
import type { CalendarDate } from './calendar';
import { evaluate, type Decision, type EngineSettings, type Progress, type ProgramRules, type RecordState, type Refusal } from './engine';

export interface RemovalInput {
  record: RecordState & { cycle: number; expirationOverridden: boolean };
  completion: { componentName: string; required: boolean; cycle: number; completedOn: CalendarDate };
  program: ProgramRules;
  /** Progress of the current cycle before and after the removal. */
  before: Progress;
  after: Progress;
  settings: EngineSettings;
  today: CalendarDate;
}

const REOPEN: Partial<Record<RecordState['status'], string>> = { Cancelled: 'reinstate', Declined: 'reconsider', 'Not Completed': 'reopen' };

export function planCompletionRemoval(input: RemovalInput): Decision | Refusal {
  const { record, completion, program, before, after, settings, today } = input;
  const what = `${completion.componentName} (completed on ${completion.completedOn})`;
  const refuse = (why: string): Refusal => ({ allowed: false, reason: `${what} cannot be removed: ${why}` });
  if (completion.cycle !== record.cycle) {
    return refuse(`it counts for cycle ${completion.cycle}, which ended with a renewal; the renewal rests on it.`);
  }
  const removed = `${completion.componentName} completion removed`;
  const reDecide = (): Decision => {
    const d = evaluate({ record, program, progress: after, settings, today });
    return { ...d, rule: `${removed}; ${d.rule.charAt(0).toLowerCase()}${d.rule.slice(1)}` };
  };
  const backToWork = (extra: string): Decision => ({
    status: 'In Progress',
    rule: `${removed}: ${after.requiredDone} of ${after.requiredTotal} required components completed${extra}`,
    changes: { completedOn: null, approvedOn: null, expiresOn: null },
    queueExpiringEmail: false,
    startsNewCycle: false,
  });
  switch (record.status) {
    case 'Applied':
    case 'In Progress':
    case 'Inactive':
      return reDecide();
    case 'Admin Review':
      if (!completion.required) return reDecide();
      return { ...backToWork(''), changes: { completedOn: null } };
    case 'Active': {
      const earnedByCompletions = before.requiredTotal > 0 && before.requiredDone >= before.requiredTotal;
      if (!completion.required || !earnedByCompletions) return reDecide();
      if (program.requireCompletionApproval) {
        return refuse(
          `staff approved this certification${record.approvedOn ? ` on ${record.approvedOn}` : ''} after Admin Review; cancel it instead if it was granted by mistake.`,
        );
      }
      if (record.expirationOverridden) {
        return refuse('staff set its expiration date by hand since it was granted; cancel the certification instead if it was granted by mistake.');
      }
      return backToWork('; the certification is no longer earned');
    }
    case 'Expiring':
      return refuse(
        'the certification it completed is Expiring and its "Certification Expiring" email is due or sent; cancel the certification instead if it was granted by mistake.',
      );
    case 'Expired':
      return refuse('the certification it completed has expired; renew it or change its expiration date instead.');
    default:
      return refuse(`the record is ${record.status} (set by staff); ${REOPEN[record.status] ?? 'reopen'} it first.`);
  }
}
