import { Alert, Badge, Button, Card, Group, Progress, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { JobStatus } from '../../../main/ipc/contract';
import type { Settings } from '../../../main/ipc/contract';
import { api, call, followJob, messageOf } from '../api';
import { formatTimestamp } from '../shared/dates';
import { useLoad } from '../shared/useCall';

const SCHEDULES = [
  { value: '0', label: 'Off (export on demand only)' },
  { value: '15', label: 'Every 15 minutes' },
  { value: '60', label: 'Every hour' },
  { value: '240', label: 'Every 4 hours' },
  { value: '720', label: 'Every 12 hours' },
  { value: '1440', label: 'Every day' },
];


/** Where and how often changes go to the central system, and every run so far. */
export function SyncSettings({ settings, onSaved }: { settings: Settings; onSaved: () => void }) {
  const [folder, setFolder] = useState(settings.syncFolder);
  const [every, setEvery] = useState(String(settings.syncEveryMinutes));
  const [error, setError] = useState<string | null>(null);
  const [job, setJob] = useState<JobStatus | null>(null);
  const status = useLoad(() => call(api().sync.status({})), [job?.state]);

  const save = async () => {
    setError(null);
    try {
      await call(api().settings.setSync({ folder: folder.trim(), everyMinutes: Number(every) }));
      notifications.show({ color: 'green', message: 'Sync export settings saved.' });
      onSaved();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const exportNow = async () => {
    setError(null);
    try {
      await followJob(api().sync.exportNow({}), setJob, 300);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const s = status.data;
  return (
    <Stack>
      <Card withBorder maw={900}>
        <Stack gap="sm">
          <Title order={4}>Export folder and schedule</Title>
          {error && (
            <Alert color="red" title="Sync export" data-testid="sync-error">
              {error}
            </Alert>
          )}
          <Group align="flex-end" grow>
            <TextInput label="Folder" description="Where batches for the central system are written (full path)" value={folder} onChange={(e) => setFolder(e.currentTarget.value)} />
            <Select label="Schedule" data={SCHEDULES} value={every} onChange={(v) => setEvery(v ?? '0')} comboboxProps={{ withinPortal: true }} />
          </Group>
          <Group>
            <Button variant="default" onClick={() => void save()} disabled={folder === settings.syncFolder && every === String(settings.syncEveryMinutes)}>
              Save
            </Button>
            <Button onClick={() => void exportNow()} loading={job?.state === 'running'} disabled={!settings.syncFolder}>
              Export now
            </Button>
            {s && (
              <Text size="sm" c="dimmed" data-testid="sync-pending">
                {s.pending.toLocaleString()} changes waiting · exported up to #{s.checkpoint.toLocaleString()} of #{s.lastSeq.toLocaleString()}
              </Text>
            )}
          </Group>
          {job?.state === 'running' && <Progress value={job.total ? (100 * job.done) / job.total : 100} animated />}
        </Stack>
      </Card>
      <Title order={5}>Runs</Title>
      <Table striped fz="sm" data-testid="sync-runs" maw={1100}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Started</Table.Th>
            <Table.Th>Trigger</Table.Th>
            <Table.Th>Range</Table.Th>
            <Table.Th>Changes</Table.Th>
            <Table.Th>Duration</Table.Th>
            <Table.Th>Outcome</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(s?.runs ?? []).map((r) => (
            <Table.Tr key={r.startedAt + r.trigger}>
              <Table.Td>{formatTimestamp(r.startedAt)}</Table.Td>
              <Table.Td>{r.trigger}</Table.Td>
              <Table.Td>{r.fromSeq !== null ? `#${r.fromSeq}–#${r.toSeq}` : '—'}</Table.Td>
              <Table.Td>{r.changes.toLocaleString()}</Table.Td>
              <Table.Td>{r.durationMs} ms</Table.Td>
              <Table.Td>
                <Badge color={r.outcome === 'failed' ? 'red' : r.outcome === 'exported' ? 'green' : 'gray'} variant="light">
                  {r.outcome}
                </Badge>{' '}
                {r.error && <Text span size="xs" c="red">{r.error.message}</Text>}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
