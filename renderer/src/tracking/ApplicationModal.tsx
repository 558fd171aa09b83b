import { Alert, Button, Group, Modal, Select, Stack, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { APPLICATION_CHANNELS, type ApplicationChannel } from '../../../main/domain/application';
import { api, call } from '../api';
import { useSession } from '../session';
import { CalendarDateInput } from '../shared/CalendarDateInput';
import { useSubmit } from '../shared/useSubmit';
import { ContactPicker, ProgramPicker, useContactChoice, type PresetContact, type ContactDialogProps } from './ContactProgramPicker';

export interface ApplicationTarget {
  contact?: PresetContact;
}

/**
 * Record application: an application received by mail, email, phone or the portal, from a
 * contact found or made here (or the one it was opened from). The rules engine decides
 * Applied (the certification requires approval) or In Progress, dated the day it was made.
 */
export function ApplicationModal({ target, opened, onClose, onClosed, onDone }: ContactDialogProps) {
  const { info } = useSession();
  const choice = useContactChoice(target?.contact);
  const [programId, setProgramId] = useState<string | null>(null);
  const [appliedOn, setAppliedOn] = useState<string | null>(info.today);
  const [dateProblem, setDateProblem] = useState<string | null>(null);
  const [channel, setChannel] = useState<ApplicationChannel>('mail');
  const [note, setNote] = useState('');
  const { submit, busy, error } = useSubmit(async () => {
    if (!programId) throw new Error('Choose a certification.');
    if (!appliedOn || dateProblem) throw new Error(dateProblem ?? 'Give the date the application was made.');
    const contactId = await choice.resolve();
    if (contactId === null) return;
    const record = await call(api().records.recordApplication({ contactId, programId: Number(programId), appliedOn, channel, note: note.trim() || undefined }));
    notifications.show({ color: 'green', message: `Application recorded: the record is ${record.status}.` });
    onDone(record.id);
  }, choice.describe);

  return (
    <Modal opened={opened} onClose={onClose} onExitTransitionEnd={onClosed} title="Record application" size="lg" centered>
      <Stack data-testid="application-modal">
        {error && <Alert color="red">{error}</Alert>}
        <ContactPicker choice={choice} />
        <ProgramPicker value={programId} onChange={setProgramId} focusFirst={Boolean(choice.preset)} withApproval />
        <Group grow align="flex-start">
          <CalendarDateInput
            label="Application date"
            value={appliedOn}
            onChange={setAppliedOn}
            onProblem={setDateProblem}
            maxDate={info.today}
            popoverProps={{ withinPortal: true }}
          />
          <Select
            label="Received by"
            data={APPLICATION_CHANNELS.map((c) => ({ value: c, label: c.charAt(0).toUpperCase() + c.slice(1) }))}
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
