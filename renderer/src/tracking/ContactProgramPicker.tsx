/**
 * The one contact and certification picker of the Enroll and Record application dialogs:
 * an existing contact found by name, email or member number, or a new one made in the same
 * dialog (main refuses another contact's email or member number, naming them, on the field).
 */
import { Group, SegmentedControl, Select, Stack, TextInput } from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { useRef, useState } from 'react';
import { newContactSchema } from '../../../main/domain/contact';
import type { ContactRow, ProgramRow } from '../../../main/ipc/contract';
import { api, ApiError, call, fieldMessageOf, messageOf } from '../api';
import { useLoad } from '../shared/useLoad';

export type PresetContact = Pick<ContactRow, 'id' | 'first_name' | 'last_name'>;

/** What the Enroll and Record application dialogs are given (their state: useDialogTarget). */
export interface ContactDialogProps {
  opened: boolean;
  /** For whom: `contact` given, or anyone (chosen in the dialog). */
  target: { contact?: PresetContact } | null;
  onClose: () => void;
  /** Its fade-out has ended (the next opening starts empty). */
  onClosed: () => void;
  onDone: (recordId: number) => void;
}

const NEW_CONTACT = { firstName: '', lastName: '', email: '', memberNumber: '', organization: '', phone: '' };

export function useContactChoice(preset: PresetContact | undefined) {
  const [mode, setMode] = useState<'existing' | 'new'>('existing');
  const [query, setQuery] = useState('');
  const [contactId, setContactId] = useState<string | null>(null);
  const found = useLoad(() => (preset || query.trim().length < 2 ? Promise.resolve([]) : call(api().contacts.search({ text: query }))), [query, preset]);
  const form = useForm({ mode: 'uncontrolled', initialValues: NEW_CONTACT, validate: schemaResolver(newContactSchema, { sync: true }) });
  // The contact this dialog already made, with the fields it was made from: when the rest of the submit
  // was refused (a date, the certification), the retry uses that contact (corrected if its fields were
  // edited since) instead of making the same person twice, or refusing them as a duplicate of themselves.
  const made = useRef<{ fields: string; id: number } | null>(null);

  /** The chosen contact's id, creating the new contact first; null while the new contact's fields need fixing (said on them). */
  const resolve = async (): Promise<number | null> => {
    if (preset) return preset.id;
    if (mode === 'existing') {
      if (!contactId) throw new Error('Choose a contact, or add a new one.');
      return Number(contactId);
    }
    if (form.validate().hasErrors) return null;
    const values = form.getValues();
    const fields = JSON.stringify(values);
    const contact = { ...values, memberNumber: values.memberNumber || null };
    if (made.current?.fields === fields) return made.current.id;
    if (made.current) await call(api().contacts.update({ id: made.current.id, ...contact }));
    const id = made.current?.id ?? (await call(api().contacts.create(contact))).id;
    made.current = { fields, id };
    return id;
  };

  /** A refusal about a new contact's field goes on that field (null: no banner); any other is a sentence for the banner. */
  const describe = (err: unknown): string | null => {
    if (mode === 'new' && err instanceof ApiError && err.field && err.field in NEW_CONTACT) {
      form.setFieldError(err.field, fieldMessageOf(err));
      return null;
    }
    return messageOf(err);
  };

  return { preset, mode, setMode, query, setQuery, contactId, setContactId, found, form, resolve, describe };
}

export type ContactChoice = ReturnType<typeof useContactChoice>;

export function ContactPicker({ choice }: { choice: ContactChoice }) {
  const { preset, mode, query, form } = choice;
  const options = preset
    ? [{ value: String(preset.id), label: `${preset.first_name} ${preset.last_name}` }]
    : (choice.found.data ?? []).map((c) => ({ value: String(c.id), label: `${c.first_name} ${c.last_name} · ${c.email || c.member_number || ''}` }));
  return (
    <>
      {!preset && (
        <SegmentedControl
          value={mode}
          onChange={(v) => choice.setMode(v === 'new' ? 'new' : 'existing')}
          data={[
            { value: 'existing', label: 'Existing contact' },
            { value: 'new', label: 'New contact' },
          ]}
        />
      )}
      {(preset || mode === 'existing') && (
        <Select
          label="Contact"
          searchable
          data={options}
          value={preset ? String(preset.id) : choice.contactId}
          onChange={choice.setContactId}
          searchValue={preset ? undefined : query}
          onSearchChange={preset ? undefined : choice.setQuery}
          disabled={Boolean(preset)}
          // The dialog opens here, ready to type a name (Mantine's focus trap starts at data-autofocus).
          data-autofocus={preset ? undefined : true}
          placeholder="Type a name, email or member number"
          nothingFoundMessage={query.length < 2 ? 'Type at least two letters' : 'Nobody by that name: add them as a new contact'}
          comboboxProps={{ withinPortal: true }}
          filter={({ options: all }) => all}
        />
      )}
      {!preset && mode === 'new' && (
        <Stack gap="xs">
          <Group grow align="flex-start">
            <TextInput label="First name" key={form.key('firstName')} {...form.getInputProps('firstName')} />
            <TextInput label="Last name" withAsterisk key={form.key('lastName')} {...form.getInputProps('lastName')} />
          </Group>
          <Group grow align="flex-start">
            <TextInput label="Email" key={form.key('email')} {...form.getInputProps('email')} />
            <TextInput label="Member number" key={form.key('memberNumber')} {...form.getInputProps('memberNumber')} />
          </Group>
          <Group grow align="flex-start">
            <TextInput label="Organization" key={form.key('organization')} {...form.getInputProps('organization')} />
            <TextInput label="Phone" key={form.key('phone')} {...form.getInputProps('phone')} />
          </Group>
        </Stack>
      )}
    </>
  );
}

/**
 * The certifications that take new records (archived ones do not); `withApproval` names those that require approval.
 * `focusFirst`: the dialog opens here (its contact is given).
 */
export function ProgramPicker({
  value,
  onChange,
  withApproval = false,
  focusFirst = false,
}: {
  value: string | null;
  onChange: (id: string | null) => void;
  withApproval?: boolean;
  focusFirst?: boolean;
}) {
  const programs = useLoad(() => call(api().programs.list({})), []);
  const label = (p: ProgramRow) => `${p.name} (${p.code})${withApproval && p.require_approval ? ' · requires approval' : ''}`;
  return (
    <Select
      label="Certification"
      data={(programs.data ?? []).filter((p) => !p.archived_at).map((p) => ({ value: String(p.id), label: label(p) }))}
      value={value}
      onChange={onChange}
      searchable
      data-autofocus={focusFirst || undefined}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
