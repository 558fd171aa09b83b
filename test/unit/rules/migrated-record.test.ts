/** A record brought over from a previous system (rules/migrated-record.ts): what the engine stores, or the contradiction. */
import { describe, expect, it } from 'vitest';
import type { ProgramRules } from '../../../main/rules/engine';
import { migratedRecord, type MigratedDates } from '../../../main/rules/migrated-record';

const TODAY = '2026-03-10';
const NO_DATES: MigratedDates = { appliedOn: null, startedOn: null, completedOn: null, approvedOn: null, expiresOn: null };
const YEARLY: ProgramRules = { requireApproval: false, requireCompletionApproval: false, expiration: { kind: 'period', amount: 1, unit: 'years' } };
const progress = { requiredTotal: 2, requiredDone: 0 };

function decide(status: Parameters<typeof migratedRecord>[0]['status'], dates: Partial<MigratedDates>, program = YEARLY, expiringDays = 30) {
  return migratedRecord({ status, dates: { ...NO_DATES, ...dates }, program, progress, settings: { expiringDays }, today: TODAY });
}

describe('migratedRecord', () => {
  it('Expiring in the file with n = 0 is Active (Expiring is off); Expired with a date still ahead is Active', () => {
    expect(decide('Expiring', { completedOn: '2025-03-20' }, YEARLY, 0)).toMatchObject({
      status: 'Active',
      rederivedFrom: 'Expiring',
      queueExpiringEmail: false,
      rule: 'The file says Expiring; valid through 2026-03-20; Expiring is off (n = 0)',
    });
    expect(decide('Expired', { completedOn: '2025-12-01' })).toMatchObject({ status: 'Active', rederivedFrom: 'Expired', expiresOn: '2026-12-01' });
  });

  it('with completion approval, the expiration counts from the approved date, which is required', () => {
    const approval: ProgramRules = { ...YEARLY, requireCompletionApproval: true };
    expect(decide('Active', { completedOn: '2025-01-10', approvedOn: '2025-06-01' }, approval)).toMatchObject({
      status: 'Active',
      expiresOn: '2026-06-01',
      expirationOverridden: false,
    });
    expect(decide('Active', { completedOn: '2025-01-10' }, approval)).toEqual({
      refused: 'Active needs an approved date: this certification requires completion approval.',
    });
  });

  it('an expires date other than the rule’s is kept as the record’s own; a certification that never expires is Active', () => {
    expect(decide('Active', { completedOn: '2025-06-01', expiresOn: '2027-01-31' })).toMatchObject({ status: 'Active', expirationOverridden: true });
    expect(decide('Expired', { completedOn: '2010-06-01' }, { ...YEARLY, expiration: { kind: 'never' } })).toMatchObject({
      status: 'Active',
      expiresOn: null,
      rule: 'The file says Expired; certification does not expire',
    });
  });

  it('manual statuses are kept with their dates; Applied and In Progress refuse completion dates', () => {
    expect(decide('Not Completed', { startedOn: '2024-01-01' })).toMatchObject({ status: 'Not Completed', rederivedFrom: null, startedOn: '2024-01-01' });
    expect(decide('In Progress', { startedOn: '2026-01-01', expiresOn: '2027-01-01' })).toEqual({
      refused: 'An In Progress record is not completed, but the line gives the expires date; correct the status or the dates.',
    });
    expect(decide('Applied', { appliedOn: '2026-01-01', startedOn: '2026-01-02', approvedOn: '2026-02-01' })).toEqual({
      refused: 'An Applied record has not started, but the line gives the started date and approved date; correct the status or the dates.',
    });
  });
});
