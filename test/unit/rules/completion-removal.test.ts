/** The rule for removing a completion entered by mistake (rules/completion-removal.ts), every status. */
import { describe, expect, it } from 'vitest';
import { planCompletionRemoval, type RemovalInput } from '../../../main/rules/completion-removal';
import type { Status } from '../../../main/rules/statuses';

const base = (status: Status, over: Partial<RemovalInput> = {}): RemovalInput => ({
  record: { status, cycle: 1, completedOn: '2026-03-01', approvedOn: '2026-03-01', expiresOn: '2027-03-01', expirationOverridden: false },
  completion: { componentName: 'Final Exam', required: true, cycle: 1, completedOn: '2026-03-01' },
  program: { requireApproval: false, requireCompletionApproval: false, expiration: { kind: 'period', amount: 1, unit: 'years' } },
  before: { requiredTotal: 3, requiredDone: 3 },
  after: { requiredTotal: 3, requiredDone: 2 },
  settings: { expiringDays: 30 },
  today: '2026-03-10',
  ...over,
});

const reasonOf = (input: RemovalInput): string | null => {
  const plan = planCompletionRemoval(input);
  return 'allowed' in plan ? plan.reason : null;
};
const statusOf = (input: RemovalInput): Status | null => {
  const plan = planCompletionRemoval(input);
  return 'allowed' in plan ? null : plan.status;
};

describe('removing a completion', () => {
  it('keeps the status of work in progress, sends Admin Review back, takes back an Active certificate it earned', () => {
    for (const s of ['Applied', 'In Progress', 'Inactive'] as const)
      expect(statusOf(base(s, { before: { requiredTotal: 3, requiredDone: 2 }, after: { requiredTotal: 3, requiredDone: 1 } }))).toBe(s);
    expect(planCompletionRemoval(base('Admin Review'))).toMatchObject({ status: 'In Progress', changes: { completedOn: null } });
    expect(planCompletionRemoval(base('Active'))).toMatchObject({ status: 'In Progress', changes: { completedOn: null, approvedOn: null, expiresOn: null } });
  });

  it('leaves Active as it is for an optional component, or a certificate granted by Mark all complete', () => {
    expect(
      statusOf(
        base('Active', {
          completion: { componentName: 'Workshop', required: false, cycle: 1, completedOn: '2026-03-01' },
          after: { requiredTotal: 3, requiredDone: 3 },
        }),
      ),
    ).toBe('Active');
    expect(statusOf(base('Active', { before: { requiredTotal: 3, requiredDone: 1 }, after: { requiredTotal: 3, requiredDone: 0 } }))).toBe('Active');
  });

  it('refuses with the reason whenever something else rests on it', () => {
    expect(
      reasonOf(
        base('Active', {
          completion: { componentName: 'Final Exam', required: true, cycle: 1, completedOn: '2024-01-01' },
          record: { ...base('Active').record, cycle: 2 },
        }),
      ),
    ).toBe('Final Exam (completed on 2024-01-01) cannot be removed: it counts for cycle 1, which ended with a renewal; the renewal rests on it.');
    expect(reasonOf(base('Active', { record: { ...base('Active').record, expirationOverridden: true } }))).toContain('staff set its expiration date by hand');
    expect(reasonOf(base('Active', { program: { ...base('Active').program, requireCompletionApproval: true } }))).toContain(
      'staff approved this certification on 2026-03-01',
    );
    expect(reasonOf(base('Expiring'))).toContain('is Expiring');
    expect(reasonOf(base('Expired'))).toContain('has expired');
    expect(reasonOf(base('Cancelled'))).toBe(
      'Final Exam (completed on 2026-03-01) cannot be removed: the record is Cancelled (set by staff); reinstate it first.',
    );
    expect(reasonOf(base('Declined'))).toContain('reconsider it first');
    expect(reasonOf(base('Not Completed'))).toContain('reopen it first');
  });
});
