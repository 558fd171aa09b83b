import { Alert, Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { ManualMove } from '../../../main/ipc/contract';
import type { Status } from '../../../main/rules/statuses';
import { api, call } from '../api';
import { useSubmit } from '../shared/useSubmit';

/** Only the moves the rules allow from here; each asks for a reason where the rules require one. */
export function MoveButtons({ recordId, from, moves, onDone }: { recordId: number; from: Status; moves: readonly ManualMove[]; onDone: () => void }) {
  const [move, setMove] = useState<ManualMove | null>(null);
  const [reason, setReason] = useState('');
  const { submit, busy, error, setError } = useSubmit(async () => {
    if (!move) return;
    await call(api().records.setStatus({ id: recordId, to: move.to, reason }));
    notifications.show({ color: 'green', message: `${from} → ${move.to}` });
    setMove(null);
    onDone();
  });

  return (
    <>
      <Group gap="xs">
        {moves.map((m) => (
          <Button
            key={m.to}
            size="xs"
            variant={m.to === 'Cancelled' || m.to === 'Declined' ? 'light' : 'filled'}
            color={m.to === 'Cancelled' || m.to === 'Declined' ? 'red' : undefined}
            onClick={() => {
              setMove(m);
              setReason('');
              setError(null);
            }}
          >
            {m.label}
          </Button>
        ))}
      </Group>
      <Modal opened={move !== null} onClose={() => setMove(null)} title={move ? `${move.label}: ${from} → ${move.to}` : ''} centered>
        <Stack>
          {error && (
            <Alert color="red" title="Not changed">
              {error}
            </Alert>
          )}
          <Textarea
            label="Reason"
            description={move?.reasonRequired ? 'Required: it goes into the record’s history.' : 'Optional: it goes into the record’s history.'}
            withAsterisk={move?.reasonRequired}
            autosize
            minRows={2}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setMove(null)}>
              Keep {from}
            </Button>
            <Button loading={busy} onClick={() => void submit()} disabled={move?.reasonRequired === true && reason.trim() === ''}>
              Set {move?.to}
            </Button>
          </Group>
          <Text size="xs" c="dimmed">
            The change is recorded with your name and today’s date.
          </Text>
        </Stack>
      </Modal>
    </>
  );
}
