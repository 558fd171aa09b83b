import { Badge, Group, SegmentedControl, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { api, call } from '../api';
import { formatDate, formatTimestamp } from '../shared/dates';
import { useLoad } from '../shared/useLoad';
import { emailKindLabel } from '../../../main/domain/reminders';

/** Queued, withdrawn and exported emails; the desktop has no mail server, the central system sends them. */
export function OutboxList() {
  const [search, setSearch] = useState('');
  const [state, setState] = useState<'all' | 'queued' | 'withdrawn' | 'exported'>('all');
  const [debounced] = useDebouncedValue(search, 250);
  const outbox = useLoad(() => call(api().outbox.list({ search: debounced, state })), [debounced, state]);
  return (
    <Stack>
      <Group>
        <TextInput
          placeholder="Search name, email or subject"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={320}
          aria-label="Search the outbox"
        />
        <SegmentedControl value={state} onChange={(v) => setState(v)} data={['all', 'queued', 'withdrawn', 'exported']} />
        <Text size="sm" c="dimmed">
          {outbox.data ? `${outbox.data.total} emails` : ''}
        </Text>
      </Group>
      <Table striped fz="sm" data-testid="outbox-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>To</Table.Th>
            <Table.Th>Email</Table.Th>
            <Table.Th>Subject</Table.Th>
            <Table.Th>Expiration date</Table.Th>
            <Table.Th>Queued</Table.Th>
            <Table.Th>State</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(outbox.data?.rows ?? []).map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>
                {r.to_name}{' '}
                <Text span c="dimmed" size="xs">
                  {r.to_email}
                </Text>
              </Table.Td>
              <Table.Td>{emailKindLabel(r)}</Table.Td>
              <Table.Td>{r.subject}</Table.Td>
              <Table.Td>{formatDate(r.expires_on)}</Table.Td>
              <Table.Td>{formatTimestamp(r.created_at)}</Table.Td>
              <Table.Td>
                <Badge color={r.state === 'queued' ? 'orange' : r.state === 'withdrawn' ? 'gray' : 'green'} variant="light">
                  {r.state}
                </Badge>
                {r.state === 'withdrawn' && (
                  <Text size="xs" c="dimmed">
                    {r.withdrawn_reason ?? ''}
                    {r.withdrawn_at ? ` (${formatTimestamp(r.withdrawn_at)})` : ''}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
