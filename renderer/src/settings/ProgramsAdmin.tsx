import { Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { describeExpiration } from '../../../main/domain/program';
import type { ProgramWithComponents } from '../../../main/ipc/contract';
import { api, call, messageOf } from '../api';
import { formatDatesIn } from '../shared/dates';
import { useLoad } from '../shared/useLoad';
import { ProgramEditor } from './ProgramEditor';
import { expirationOf } from '../../../main/domain/program';

export function ProgramsAdmin() {
  const programs = useLoad(() => call(api().programs.adminList({})), []);
  const [editing, setEditing] = useState<ProgramWithComponents | 'new' | null>(null);
  const archive = async (p: ProgramWithComponents, archived: boolean) => {
    try {
      await call(api().programs.setArchived({ id: p.id, archived }));
      notifications.show({ color: 'green', message: archived ? `${p.name} archived; its ${p.records} records are kept.` : `${p.name} is active again.` });
      programs.reload();
    } catch (err) {
      notifications.show({ color: 'red', message: messageOf(err) });
    }
  };
  return (
    <Stack>
      <Group>
        <Button onClick={() => setEditing('new')}>New certification</Button>
      </Group>
      <Table striped fz="sm" data-testid="programs-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Certification</Table.Th>
            <Table.Th>Rules</Table.Th>
            <Table.Th>Components</Table.Th>
            <Table.Th>Records</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(programs.data ?? []).map((p) => (
            <Table.Tr key={p.id} data-program={p.code}>
              <Table.Td>
                <Text fw={600} size="sm">
                  {p.name} {p.archived_at && <Badge color="gray">archived</Badge>}
                </Text>
                <Text size="xs" c="dimmed">
                  {p.code} · v{p.version} · {p.category}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs">{formatDatesIn(describeExpiration(expirationOf(p)))}</Text>
                <Text size="xs" c="dimmed">
                  {p.require_approval ? 'Requires approval' : 'No approval to start'} ·{' '}
                  {p.require_completion_approval ? 'completion reviewed' : 'completion automatic'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs">{p.components.map((c) => `${c.name}${c.required ? '' : ' (optional)'}`).join(', ') || '—'}</Text>
              </Table.Td>
              <Table.Td>{p.records}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Button size="compact-xs" variant="light" onClick={() => setEditing(p)}>
                    Edit
                  </Button>
                  <Button size="compact-xs" variant="subtle" color={p.archived_at ? 'indigo' : 'gray'} onClick={() => void archive(p, !p.archived_at)}>
                    {p.archived_at ? 'Unarchive' : 'Archive'}
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {editing && (
        <ProgramEditor
          program={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            notifications.show({ color: 'green', message: 'Certification saved.' });
            programs.reload();
          }}
        />
      )}
    </Stack>
  );
}
