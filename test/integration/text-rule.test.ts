/**
 * One text rule at every door (SPEC §6): single-line fields refuse control
 * characters, multi-line fields take line breaks and tabs only. Through the
 * real IPC door on a real database file: a refused value names the field and
 * the character, and nothing is written.
 */
import { describe, expect, it } from 'vitest';
import { forbiddenCharacter, textRuleProblem } from '../../main/domain/text';
import { ok, refused, signedInAdmin } from './door';

describe('the text rule', () => {
  it('names the first character a field cannot hold', () => {
    expect(forbiddenCharacter('Eve', 'single')).toBeNull();
    expect(forbiddenCharacter('Ève Zoë 李 🎓 محمد', 'single')).toBeNull();
    for (const c of ['\u0000', '\u0007', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009f', '\u2028', '\u2029']) {
      expect(forbiddenCharacter(`a${c}b`, 'single'), JSON.stringify(c)).toBe(c);
    }
    expect(forbiddenCharacter('one\ntwo\r\nthree\tfour', 'multi')).toBeNull();
    expect(forbiddenCharacter('one\rtwo', 'multi')).toBe('\r');
    expect(forbiddenCharacter('one\r', 'multi')).toBe('\r');
    expect(forbiddenCharacter('one\u0000', 'multi')).toBe('\u0000');
    expect(forbiddenCharacter('one\u2028', 'multi')).toBe('\u2028');
    expect(textRuleProblem('Last name', 'Eve\u0000', 'single')).toBe(
      'Last name contains a control character (U+0000), which this one-line field cannot hold — remove it.',
    );
    expect(textRuleProblem('Notes', 'a\u001bb', 'multi')).toBe('Notes contains a control character (U+001B) — remove it.');
  });

  it('refuses control characters in every single-line field of the door, naming the field and the character', async () => {
    const backend = await signedInAdmin();
    const contact = { firstName: 'Eve', lastName: 'Adams', email: 'eve@example.org' };
    expect(await refused(backend, 'contacts.create', { ...contact, lastName: 'Adams\u0000' })).toBe(
      'lastName: Last name contains a control character (U+0000), which this one-line field cannot hold — remove it.',
    );
    // A name with a line break would land in a queued email's subject line.
    expect(await refused(backend, 'contacts.create', { ...contact, firstName: 'Eve\r\nBcc: x@example.org' })).toContain(
      'First name contains a line break (U+000D)',
    );
    expect(await refused(backend, 'contacts.create', { ...contact, phone: '555\u001b[2J' })).toContain('Phone contains a control character (U+001B)');
    expect(await refused(backend, 'contacts.create', { ...contact, organization: 'Acme\u2028Inc' })).toContain('Organization contains a line break (U+2028)');
    expect(await refused(backend, 'contacts.create', { ...contact, memberNumber: 'M\u00851' })).toContain(
      'Member number contains a control character (U+0085)',
    );
    expect(await refused(backend, 'filters.save', { name: 'Mi\nne', tree: { combinator: 'and', rules: [] } })).toContain(
      'A name contains a line break (U+000A)',
    );
    expect(await refused(backend, 'filters.save', { name: 'Mi\u0000ne', tree: { combinator: 'and', rules: [] } })).toContain(
      'A name contains a control character (U+0000)',
    );
    expect(await refused(backend, 'users.create', { username: 'li\u0000', displayName: 'Li', role: 'staff', password: 'long enough 1' })).toContain(
      'User name contains a control character',
    );
    expect(await refused(backend, 'settings.setEmailTemplate', { subject: 'Renewal\r\nBcc: x@example.org', body: 'Hello' })).toContain(
      'Subject contains a line break (U+000D)',
    );
    const program = { code: 'ETH', name: 'Ethics', requireApproval: false, requireCompletionApproval: false, expiration: { kind: 'never' }, components: [] };
    expect(await refused(backend, 'programs.create', { ...program, name: 'Eth\tics' })).toContain('Name contains a tab (U+0009)');
    expect(await refused(backend, 'programs.create', { ...program, category: 'A\u007f' })).toContain('Category contains a control character (U+007F)');
    expect(await refused(backend, 'contacts.search', { text: 'a\u0000' })).toContain('Search contains a control character (U+0000)');
  });

  it('lets multi-line fields hold line breaks and tabs, and nothing else', async () => {
    const backend = await signedInAdmin();
    const contact = ok<{ id: number }>(await backend.invoke('contacts.create', { firstName: 'Eve', lastName: 'Adams', email: 'eve@example.org' }));
    const program = ok<{ id: number }>(
      await backend.invoke('programs.create', {
        code: 'ETH',
        name: 'Ethics',
        description: 'Line one\r\nLine two\n\tindented',
        requireApproval: false,
        requireCompletionApproval: false,
        expiration: { kind: 'never' },
        components: [{ name: 'Course', kind: 'course', credits: 1, creditUnit: 'credits', required: true }],
      }),
    );
    const record = ok<{ id: number }>(await backend.invoke('records.enroll', { contactId: contact.id, programId: program.id }));
    ok(await backend.invoke('records.setNotes', { id: record.id, notes: 'Called twice.\r\nWill send the form.\n\t– Alex' }));
    expect(await refused(backend, 'records.setNotes', { id: record.id, notes: 'Called\u0000' })).toBe(
      'notes: Notes contains a control character (U+0000) — remove it.',
    );
    expect(await refused(backend, 'records.setNotes', { id: record.id, notes: 'old\rmac' })).toBe('notes: Notes contains a line break (U+000D) — remove it.');
    expect(await refused(backend, 'records.setStatus', { id: record.id, to: 'Cancelled', reason: 'asked\u001b' })).toContain(
      'The reason contains a control character (U+001B)',
    );
    expect(await refused(backend, 'records.markAllComplete', { id: record.id, reason: 'do\u2029ne' })).toContain('A reason contains a line break (U+2029)');
    expect(await refused(backend, 'settings.setEmailTemplate', { subject: 'Renewal', body: 'Hello\u0000' })).toContain(
      'Text contains a control character (U+0000)',
    );
    ok(await backend.invoke('settings.setEmailTemplate', { subject: 'Renewal for {name}', body: 'Dear {name},\r\n\n\tyour certificate expires.' }));
    ok(await backend.invoke('records.setStatus', { id: record.id, to: 'Cancelled', reason: 'Asked by phone.\nConfirmed by email.' }));
  });
});
