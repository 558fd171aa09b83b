import { Alert, Button, Group, Modal, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../api';
import { useSubmit } from '../shared/useSubmit';
import { ContactPicker, ProgramPicker, useContactChoice, type PresetContact, type ContactDialogProps } from './ContactProgramPicker';

export interface EnrollTarget {
  contact?: PresetContact;
}

/** Enrolls an existing contact, or one made on the spot, into a certification (In Progress, by staff). */
export function EnrollModal({ target, opened, onClose, onClosed, onDone }: ContactDialogProps) {
  const choice = useContactChoice(target?.contact);
  const [programId, setProgramId] = useState<string | null>(null);
  const { submit, busy, error } = useSubmit(async () => {
    if (!programId) throw new Error('Choose a certification.');
    const id = await choice.resolve();
    if (id === null) return;
    const record = await call(api().records.enroll({ contactId: id, programId: Number(programId) }));
    notifications.show({ color: 'green', message: 'Enrolled: the record is In Progress.' });
    onDone(record.id);
  }, choice.describe);

  return (
    <Modal opened={opened} onClose={onClose} onExitTransitionEnd={onClosed} title="Enroll a contact in a certification" size="lg" centered>
      <Stack>
        {error && <Alert color="red">{error}</Alert>}
        <ContactPicker choice={choice} />
        <ProgramPicker value={programId} onChange={setProgramId} focusFirst={Boolean(choice.preset)} />
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
