/**
 * Dates at the door (SPEC §6): a date is a real calendar day or refused with
 * its reason (2026-02-30 never becomes 2 March); an expiration before the
 * completion is refused; a change that makes a record Expired at once is done
 * only when staff confirm it. Through the real IPC door, nothing written on a refusal.
 */
import { describe, expect, it } from 'vitest';
import { parseTypedDate } from '../../main/domain/typed-date';
import { calendarDateProblem } from '../../main/rules/calendar';
import type { RecordRow } from '../../main/domain/rows';
import { makeContact, makeProgram, ONE_COMPONENT } from './support';
import { ok, refused, refusedWith, signedInAdmin } from './door';

describe('a typed date', () => {
  it('is a real calendar day or says why not', () => {
    expect(parseTypedDate('2026-03-02')).toEqual({ date: '2026-03-02' });
    expect(parseTypedDate(' 2 Mar 2026 ')).toEqual({ date: '2026-03-02' });
    expect(parseTypedDate('29 February 2028')).toEqual({ date: '2028-02-29' });
    expect(parseTypedDate('')).toBeNull();
    expect(parseTypedDate('2026-02-30')).toEqual({ problem: '2026-02-30 is not a date: February 2026 has 28 days.' });
    expect(parseTypedDate('30 Feb 2026')).toEqual({ problem: '30 Feb 2026 is not a date: February 2026 has 28 days.' });
    expect(parseTypedDate('2026-13-01')).toEqual({ problem: '2026-13-01 is not a date: there is no month 13.' });
    expect(parseTypedDate('31 Foo 2026')).toEqual({ problem: '"Foo" is not a month; type a date like 10 Mar 2026 or 2026-03-10.' });
    expect(parseTypedDate('3/2/26')).toEqual({ problem: 'Type a date like 2026-03-10 or 10 Mar 2026 (not "3/2/26").' });
  });
});

describe('a date in a file', () => {
  it('a date as a spreadsheet shows it is refused, never guessed, saying how to save it', () => {
    const refusal = (v: string) =>
      `"${v}" is not in the form YYYY-MM-DD (is it day or month first?): write it like 2026-03-10; in a spreadsheet, format the column as yyyy-mm-dd.`;
    for (const v of ['12/01/2025', '13/31/2026', '1.12.2026', '01-12-26']) expect(calendarDateProblem(v)).toBe(refusal(v));
    expect(calendarDateProblem('yesterday')).toBe('Enter a date like 2026-03-10 (not "yesterday").');
    expect(calendarDateProblem('2026-02-30')).toBe('2026-02-30 is not a date: February 2026 has 28 days.');
  });
});

describe('dates through the door', () => {
  async function completed() {
    const backend = await signedInAdmin();
    const ctx = backend.context.services;
    const { program, components } = await makeProgram(ctx, { components: ONE_COMPONENT, expiration: { kind: 'period', amount: 1, unit: 'years' } });
    const contact = await makeContact(ctx);
    const record = ok<RecordRow>(await backend.invoke('records.enroll', { contactId: contact.id, programId: program.id }));
    const done = ok<RecordRow>(
      await backend.invoke('records.completeComponent', { recordId: record.id, componentId: components[0]?.id, completedOn: '2026-03-01' }),
    );
    expect(done).toMatchObject({ status: 'Active', completed_on: '2026-03-01', expires_on: '2027-03-01' });
    return { backend, record: done, componentId: components[0]?.id ?? 0, programId: program.id };
  }

  it('refuses a day that does not exist, naming why, and saves nothing', async () => {
    const { backend, record } = await completed();
    expect(await refused(backend, 'records.overrideExpiration', { id: record.id, expiresOn: '2026-02-30', reason: 'typo' })).toBe(
      'expiresOn: 2026-02-30 is not a date: February 2026 has 28 days.',
    );
    expect(await refused(backend, 'records.overrideExpiration', { id: record.id, expiresOn: '2027-04-31', reason: 'typo' })).toBe(
      'expiresOn: 2027-04-31 is not a date: April 2027 has 30 days.',
    );
  });

  it('asks before an expiration before the completion, and keeps it only once confirmed', async () => {
    const { backend, record } = await completed();
    const input = { id: record.id, expiresOn: '2026-02-28', reason: 'as in the old system' };
    expect((await refusedWith(backend, 'CONFIRM', 'records.overrideExpiration', input)).message).toBe(
      'The expiration date 2026-02-28 is before the completion date 2026-03-01, so this certification becomes Expired at once. Check the date; if it is right, confirm.',
    );
    expect(ok<RecordRow>(await backend.invoke('records.overrideExpiration', { ...input, confirmExpired: true }))).toMatchObject({
      status: 'Expired',
      expires_on: '2026-02-28',
    });
  });

  it('asks before an expiration date makes the record Expired, and does it once confirmed', async () => {
    const { backend, record } = await completed();
    const asked = await refusedWith(backend, 'CONFIRM', 'records.overrideExpiration', { id: record.id, expiresOn: '2026-03-05', reason: 'as in the old file' });
    expect(asked).toMatchObject({
      field: 'expiresOn',
      message: 'With the expiration date 2026-03-05, this certification becomes Expired at once. Check the date; if it is right, confirm.',
    });
    // A date that keeps it granted needs no confirmation.
    ok(await backend.invoke('records.overrideExpiration', { id: record.id, expiresOn: '2026-12-31', reason: 'board decision' }));
    const expired = ok<RecordRow>(
      await backend.invoke('records.overrideExpiration', { id: record.id, expiresOn: '2026-03-05', reason: 'as in the old file', confirmExpired: true }),
    );
    expect(expired).toMatchObject({ status: 'Expired', expires_on: '2026-03-05' });
  });

  it('asks before a completion dated long ago makes the record Expired at once', async () => {
    const backend = await signedInAdmin();
    const ctx = backend.context.services;
    const { program, components } = await makeProgram(ctx, { components: ONE_COMPONENT });
    const contact = await makeContact(ctx);
    const record = ok<RecordRow>(await backend.invoke('records.enroll', { contactId: contact.id, programId: program.id }));
    const input = { recordId: record.id, componentId: components[0]?.id, completedOn: '2024-01-15' };
    const asked = await refusedWith(backend, 'CONFIRM', 'records.completeComponent', input);
    expect(asked.message).toContain('With Core Course completed on 2024-01-15, this certification becomes Expired at once (it expires on 2025-01-15).');
    expect(ok<RecordRow>(await backend.invoke('records.completeComponent', { ...input, confirmExpired: true }))).toMatchObject({ status: 'Expired' });
  });
});
