import { Badge, Group, Stack, Table, Text, Textarea, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { RecordDetail } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { CALENDAR_IN_POPOVER_FORM, CalendarDateInput } from '../shared/CalendarDateInput';
import { PopoverForm } from '../shared/PopoverForm';
import { formatDate } from '../shared/dates';

function CompleteButton({
  recordId,
  componentId,
  name,
  today,
  onDone,
}: {
  recordId: number;
  componentId: number;
  name: string;
  today: string;
  onDone: () => void;
}) {
  const [date, setDate] = useState<string | null>(today);
  const [dateProblem, setDateProblem] = useState<string | null>(null);
  return (
    <PopoverForm
      trigger="Record completion"
      width={240}
      submitLabel="Save"
      canSubmit={dateProblem === null}
      confirmFor={date ?? ''}
      onSubmit={async (confirmExpired) => {
        if (!date) throw new Error('Choose the day it was completed.');
        await call(api().records.completeComponent({ recordId, componentId, completedOn: date, confirmExpired }));
        notifications.show({ color: 'green', message: `${name} completed on ${formatDate(date)}` });
        onDone();
      }}
    >
      {(error) => (
        <CalendarDateInput
          label={`${name} completed on`}
          value={date}
          onChange={setDate}
          onProblem={setDateProblem}
          maxDate={today}
          error={error}
          popoverProps={CALENDAR_IN_POPOVER_FORM}
        />
      )}
    </PopoverForm>
  );
}

/** Undo of a completion entered by mistake: a reason, then main's rule decides (or says why not). */
function RemoveButton({
  recordId,
  componentId,
  name,
  completedOn,
  onDone,
}: {
  recordId: number;
  componentId: number;
  name: string;
  completedOn: string;
  onDone: () => void;
}) {
  const [reason, setReason] = useState('');
  return (
    <PopoverForm
      trigger={
        <>
          Remove…<VisuallyHidden> the completion of {name}</VisuallyHidden>
        </>
      }
      triggerProps={{ size: 'compact-xs', variant: 'subtle', color: 'red' }}
      width={280}
      submitLabel="Remove completion"
      canSubmit={reason.trim() !== ''}
      onSubmit={async () => {
        await call(api().records.removeCompletion({ recordId, componentId, reason }));
        notifications.show({ color: 'green', message: `${name} completion of ${formatDate(completedOn)} removed` });
        onDone();
      }}
    >
      {(error) => (
        <Textarea
          label={`Why remove ${name} (completed ${formatDate(completedOn)})?`}
          withAsterisk
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          error={error}
        />
      )}
    </PopoverForm>
  );
}

function MarkAllComplete({ recordId, onDone }: { recordId: number; onDone: () => void }) {
  const [reason, setReason] = useState('');
  return (
    <PopoverForm
      trigger="Mark all complete…"
      triggerProps={{ size: 'xs', variant: 'default' }}
      position="bottom-end"
      width={300}
      submitLabel="Mark all complete"
      canSubmit={reason.trim() !== ''}
      onSubmit={async (confirmExpired) => {
        await call(api().records.markAllComplete({ id: recordId, reason, confirmExpired }));
        onDone();
      }}
    >
      {(error) => (
        <Textarea label="Why (work completed elsewhere)" withAsterisk value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={error} />
      )}
    </PopoverForm>
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
                  <Group gap={6} wrap="nowrap">
                    {formatDate(c.completedOn)}
                    <RemoveButton recordId={detail.record.id} componentId={c.id} name={c.name} completedOn={c.completedOn} onDone={onDone} />
                  </Group>
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
