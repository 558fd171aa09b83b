import { Alert, Anchor, Button, Group, Modal, Paper, ScrollArea, Select, Stack, Table, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { STATUSES, type Status } from '../../../main/rules/statuses';
import type { BulkResult } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { StatusBadge } from '../shared/StatusBadge';
import { useSubmit } from '../shared/useSubmit';
import { tint } from '../theme';
import { selectionOf, type TrackingView } from './view';

/** The selection and what can be done to it: a bulk status change with every refusal listed. */
export function BulkBar(props: {
  view: TrackingView;
  selectedIds: number[];
  allMatching: boolean;
  /** The list's total; null while it is counted (every matching record can be picked once it is known). */
  total: number | null;
  onSelectAllMatching: () => void;
  onClear: () => void;
  onDone: () => void;
}) {
  const { view, selectedIds, allMatching, total } = props;
  const [open, setOpen] = useState(false);
  const [to, setTo] = useState<Status | null>(null);
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<BulkResult | null>(null);
  // null: every matching record, while the total is counted again (something was written).
  const count = allMatching ? total : selectedIds.length;
  const counted = count === null ? 'every matching record' : `${count.toLocaleString()} records`;

  const { submit, busy, error } = useSubmit(async () => {
    if (!to) return;
    const selection = allMatching ? { kind: 'matching' as const, ...selectionOf(view) } : { kind: 'ids' as const, ids: selectedIds };
    const r = await call(api().records.bulkSetStatus({ selection, to, reason }));
    setOpen(false);
    setResult(r);
    notifications.show({ color: r.refused.length ? 'yellow' : 'green', message: `${r.changed} changed to ${to}, ${r.refused.length} refused` });
    props.onDone();
  });

  return (
    <>
      {(count === null || count > 0) && (
        <Paper withBorder px="md" py="xs" bg="var(--certdesk-selection)" data-testid="bulk-bar">
          <Group justify="space-between">
            <Group gap="xs">
              <Text size="sm" fw={600}>
                {count === null ? 'Every matching record selected' : `${count.toLocaleString()} selected`}
              </Text>
              {!allMatching && total !== null && selectedIds.length < total && (
                <Anchor size="sm" component="button" c={tint('indigo')} onClick={props.onSelectAllMatching}>
                  Select all {total.toLocaleString()} matching records
                </Anchor>
              )}
              <Anchor size="sm" component="button" c="dimmed" onClick={props.onClear}>
                Clear selection
              </Anchor>
            </Group>
            <Button size="xs" onClick={() => setOpen(true)}>
              Change status…
            </Button>
          </Group>
        </Paper>
      )}
      <Modal opened={open} onClose={() => setOpen(false)} title={`Change the status of ${counted}`} centered>
        <Stack>
          {error && <Alert color="red">{error}</Alert>}
          <Select label="New status" data={[...STATUSES]} value={to} onChange={(v) => setTo(v)} comboboxProps={{ withinPortal: true }} />
          <Textarea
            label="Reason"
            description="Recorded in each record's history; some moves require one."
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          <Text size="xs" c="dimmed">
            Records the rules allow change together; the others are listed with the reason, and stay as they are.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              Close
            </Button>
            <Button loading={busy} disabled={!to} onClick={() => void submit()}>
              Apply to {counted}
            </Button>
          </Group>
        </Stack>
      </Modal>
      <Modal opened={result !== null} onClose={() => setResult(null)} title="Bulk status change" size="xl" centered>
        {result && (
          <Stack data-testid="bulk-result">
            <Text>
              <b>{result.changed.toLocaleString()}</b> records changed{result.emailsQueued ? `, ${result.emailsQueued} emails queued` : ''}.{' '}
              <b>{result.refused.length.toLocaleString()}</b> refused.
            </Text>
            {result.refused.length > 0 && (
              <ScrollArea.Autosize mah={400}>
                <Table striped fz="sm">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Contact</Table.Th>
                      <Table.Th>Certification</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>Why not</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {result.refused.slice(0, 500).map((r) => (
                      <Table.Tr key={r.id}>
                        <Table.Td>{r.contactName}</Table.Td>
                        <Table.Td>{r.certification}</Table.Td>
                        <Table.Td>
                          <StatusBadge status={r.status} size="xs" />
                        </Table.Td>
                        <Table.Td>{r.reason}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollArea.Autosize>
            )}
          </Stack>
        )}
      </Modal>
    </>
  );
}
