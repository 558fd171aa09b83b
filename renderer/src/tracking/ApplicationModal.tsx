import { Alert, Button, Group, Modal, Select, Stack, Textarea } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { APPLICATION_CHANNELS, type ApplicationChannel } from '../../../main/domain/application';
import { api, call, messageOf } from '../api';
import { useSession } from '../session';
import { useLoad } from '../shared/useLoad';

/**
 * Record application: an application received by mail, email, phone or the
 * portal. The rules engine decides Applied (the certification requires
 * approval) or In Progress, dated the day the application was made.
 */
export function ApplicationModal({ opened, onClose, onDone }: { opened: boolean; onClose: () => void; onDone: (recordId: number) => void }) {
  const { info } = useSession();
  const [query, setQuery] = useState('');
  const [contactId, setContactId] = useState<string | null>(null);
  const [programId, setProgramId] = useState<string | null>(null);
  const [appliedOn, setAppliedOn] = useState<string | null>(info.today);
  const [channel, setChannel] = useState<ApplicationChannel>('mail');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const programs = useLoad(() => call(api().programs.list({})), []);
  const found = useLoad(() => (query.trim().length < 2 ? Promise.resolve([]) : call(api().contacts.search({ text: query }))), [query]);

  const submit = async () => {
    setError(null);
    if (!contactId) return setError('Choose a contact (add a new one with Enroll contact or an import first).');
    if (!programId) return setError('Choose a certification.');
    if (!appliedOn) return setError('Give the date the application was made.');
    setBusy(true);
    try {
      const record = await call(
        api().records.recordApplication({ contactId: Number(contactId), programId: Number(programId), appliedOn, channel, note: note.trim() || undefined }),
      );
      notifications.show({ color: 'green', message: `Application recorded: the record is ${record.status}.` });
      onDone(record.id);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Record application" size="lg" centered>
      <Stack data-testid="application-modal">
        {error && <Alert color="red">{error}</Alert>}
        <Select
          label="Contact"
          searchable
          data={(found.data ?? []).map((c) => ({ value: String(c.id), label: `${c.first_name} ${c.last_name} · ${c.email || c.member_number || ''}` }))}
          value={contactId}
          onChange={setContactId}
          searchValue={query}
          onSearchChange={setQuery}
          placeholder="Type a name, email or member number"
          nothingFoundMessage={query.length < 2 ? 'Type at least two letters' : 'Nobody by that name'}
          comboboxProps={{ withinPortal: true }}
          filter={({ options }) => options}
        />
        <Select
          label="Certification"
          data={(programs.data ?? [])
            .filter((p) => !p.archived_at)
            .map((p) => ({ value: String(p.id), label: `${p.name} (${p.code})${p.require_approval ? ' · requires approval' : ''}` }))}
          value={programId}
          onChange={setProgramId}
          searchable
          comboboxProps={{ withinPortal: true }}
        />
        <Group grow>
          <DateInput
            label="Application date"
            value={appliedOn}
            onChange={setAppliedOn}
            maxDate={info.today}
            valueFormat="D MMM YYYY"
            popoverProps={{ withinPortal: true }}
          />
          <Select
            label="Received by"
            data={APPLICATION_CHANNELS.map((c) => ({ value: c, label: c }))}
            value={channel}
            onChange={(v) => v && setChannel(v)}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
        </Group>
        <Textarea label="Note" value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={2} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
          <Button loading={busy} onClick={() => void submit()}>
            Record application
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
