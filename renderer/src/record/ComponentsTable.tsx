import { Badge, Button, Group, Popover, Stack, Table, Text, Textarea } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { RecordDetail } from '../../../main/services/record-detail';
import { api, call, messageOf } from '../api';
import { formatDate } from '../shared/dates';

function CompleteButton({ recordId, componentId, name, today, onDone }: { recordId: number; componentId: number; name: string; today: string; onDone: () => void }) {
  const [date, setDate] = useState<string | null>(today);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const save = async () => {
    if (!date) return setError('Choose the day it was completed.');
    try {
      await call(api().records.completeComponent({ recordId, componentId, completedOn: date }));
      notifications.show({ color: 'green', message: `${name} completed on ${date}` });
      setOpen(false);
      onDone();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <Popover opened={open} onChange={setOpen} withinPortal position="left" trapFocus>
      <Popover.Target>
        <Button size="compact-xs" variant="light" onClick={() => setOpen((o) => !o)}>
          Record completion
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs" w={240}>
          <DateInput label={`${name} completed on`} value={date} onChange={setDate} maxDate={today} valueFormat="D MMM YYYY" error={error} popoverProps={{ withinPortal: false }} />
          <Button size="xs" onClick={() => void save()}>
            Save
          </Button>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

function MarkAllComplete({ recordId, onDone }: { recordId: number; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const save = async () => {
    try {
      await call(api().records.markAllComplete({ id: recordId, reason }));
      setOpen(false);
      onDone();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <Popover opened={open} onChange={setOpen} withinPortal position="bottom-end" trapFocus>
      <Popover.Target>
        <Button size="xs" variant="default" onClick={() => setOpen((o) => !o)}>
          Mark all complete…
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs" w={300}>
          <Textarea label="Why (work completed elsewhere)" withAsterisk value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={error} />
          <Button size="xs" disabled={reason.trim() === ''} onClick={() => void save()}>
            Mark all complete
          </Button>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

/** Components of the current cycle with their completion, and the ways to record it. */
export function ComponentsTable({ detail, today, onDone }: { detail: RecordDetail; today: string; onDone: () => void }) {
  return (
    <Stack gap="xs">
      <Table withTableBorder verticalSpacing={4} fz="sm" data-testid="record-components">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Component</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Credits</Table.Th>
            <Table.Th>Completed</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {detail.components.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={4}>
                <Text size="sm" c="dimmed">
                  This certification has no components; it is completed with “Mark all complete”.
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
          {detail.components.map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>
                {c.name}{' '}
                {!c.required && (
                  <Badge size="xs" variant="outline">
                    optional
                  </Badge>
                )}
              </Table.Td>
              <Table.Td tt="capitalize">{c.kind}</Table.Td>
              <Table.Td>
                {c.creditsEarned ?? c.credits} {c.creditUnit}
              </Table.Td>
              <Table.Td>
                {c.completedOn ? (
                  formatDate(c.completedOn)
                ) : detail.canRecordCompletions ? (
                  <CompleteButton recordId={detail.record.id} componentId={c.id} name={c.name} today={today} onDone={onDone} />
                ) : (
                  '—'
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {detail.canMarkAllComplete && (
        <Group justify="flex-end">
          <MarkAllComplete recordId={detail.record.id} onDone={onDone} />
        </Group>
      )}
    </Stack>
  );
}
