import { Alert, Button, Group, Modal, SegmentedControl, Select, Stack, TextInput } from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { newContactSchema } from '../../../main/domain/contact';
import type { ContactRow } from '../../../main/ipc/contract';
import { api, call, messageOf } from '../api';
import { showCallError } from '../shared/forms';
import { useLoad } from '../shared/useLoad';
import { useSubmit } from '../shared/useSubmit';

export interface EnrollTarget {
  contact?: Pick<ContactRow, 'id' | 'first_name' | 'last_name'>;
}

/** Enrolls an existing contact, or one made on the spot, into a certification (In Progress, by staff). */
export function EnrollModal({ target, onClose, onDone }: { target: EnrollTarget | null; onClose: () => void; onDone: (recordId: number) => void }) {
  const [mode, setMode] = useState<'existing' | 'new'>('existing');
  const [query, setQuery] = useState('');
  const [contactId, setContactId] = useState<string | null>(null);
  const [programId, setProgramId] = useState<string | null>(null);
  const programs = useLoad(() => call(api().programs.list({})), []);
  const found = useLoad(() => (query.trim().length < 2 ? Promise.resolve([]) : call(api().contacts.search({ text: query }))), [query]);
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { firstName: '', lastName: '', email: '', memberNumber: '', organization: '', phone: '' },
    validate: schemaResolver(newContactSchema, { sync: true }),
  });
  const preset = target?.contact;
  const contactOptions = preset
    ? [{ value: String(preset.id), label: `${preset.first_name} ${preset.last_name}` }]
    : (found.data ?? []).map((c) => ({ value: String(c.id), label: `${c.first_name} ${c.last_name} · ${c.email || c.member_number || ''}` }));

  const { submit, busy, error } = useSubmit(
    async () => {
      if (!programId) throw new Error('Choose a certification.');
      let id = preset ? preset.id : Number(contactId);
      if (!preset && mode === 'new') {
        const check = form.validate();
        if (check.hasErrors) return;
        const values = form.getValues();
        id = (await call(api().contacts.create({ ...values, memberNumber: values.memberNumber || null }))).id;
      }
      if (!id) throw new Error('Choose a contact.');
      const record = await call(api().records.enroll({ contactId: id, programId: Number(programId) }));
      notifications.show({ color: 'green', message: 'Enrolled: the record is In Progress.' });
      onDone(record.id);
    },
    (err) => showCallError(form, err) ?? messageOf(err),
  );

  return (
    <Modal opened={target !== null} onClose={onClose} title="Enroll a contact in a certification" size="lg" centered>
      <Stack>
        {error && <Alert color="red">{error}</Alert>}
        {!preset && (
          <SegmentedControl
            value={mode}
            onChange={(v) => setMode(v)}
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
            data={contactOptions}
            value={preset ? String(preset.id) : contactId}
            onChange={setContactId}
            searchValue={preset ? undefined : query}
            onSearchChange={preset ? undefined : setQuery}
            disabled={Boolean(preset)}
            placeholder="Type a name, email or member number"
            nothingFoundMessage={query.length < 2 ? 'Type at least two letters' : 'Nobody by that name: add them as a new contact'}
            comboboxProps={{ withinPortal: true }}
            filter={({ options }) => options}
          />
        )}
        {!preset && mode === 'new' && (
          <Stack gap="xs">
            <Group grow>
              <TextInput label="First name" key={form.key('firstName')} {...form.getInputProps('firstName')} />
              <TextInput label="Last name" withAsterisk key={form.key('lastName')} {...form.getInputProps('lastName')} />
            </Group>
            <Group grow>
              <TextInput label="Email" key={form.key('email')} {...form.getInputProps('email')} />
              <TextInput label="Member number" key={form.key('memberNumber')} {...form.getInputProps('memberNumber')} />
            </Group>
            <Group grow>
              <TextInput label="Organization" key={form.key('organization')} {...form.getInputProps('organization')} />
              <TextInput label="Phone" key={form.key('phone')} {...form.getInputProps('phone')} />
            </Group>
          </Stack>
        )}
        <Select
          label="Certification"
          data={(programs.data ?? []).filter((p) => !p.archived_at).map((p) => ({ value: String(p.id), label: `${p.name} (${p.code})` }))}
          value={programId}
          onChange={setProgramId}
          searchable
          comboboxProps={{ withinPortal: true }}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
          <Button loading={busy} onClick={() => void submit()}>
            Enroll
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
