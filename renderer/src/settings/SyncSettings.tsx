import { Alert, Badge, Button, Card, Group, Progress, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { Settings } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { formatTimestamp } from '../shared/dates';
import { CentralImport } from './CentralImport';
import { jobPercent, useJob } from '../shared/useJob';
import { useLoad } from '../shared/useLoad';
import { useSubmit } from '../shared/useSubmit';

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
  const exportJob = useJob();
  const job = exportJob.job;
  const status = useLoad(() => call(api().sync.status({})), [job?.state]);
  const save = useSubmit(async () => {
    await call(api().settings.setSync({ folder: folder.trim(), everyMinutes: Number(every) }));
    notifications.show({ color: 'green', message: 'Sync export settings saved.' });
    onSaved();
  });
  const exportNow = useSubmit(async () => {
    await exportJob.run(api().sync.exportNow({}));
  });
  const error = save.error ?? exportNow.error;
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
            <TextInput
              label="Folder"
              description="Where batches for the central system are written (full path)"
              value={folder}
              onChange={(e) => setFolder(e.currentTarget.value)}
            />
            <Select label="Schedule" data={SCHEDULES} value={every} onChange={(v) => setEvery(v ?? '0')} comboboxProps={{ withinPortal: true }} />
          </Group>
          <Group>
            <Button
              variant="default"
              onClick={() => void save.submit()}
              loading={save.busy}
              disabled={folder === settings.syncFolder && every === String(settings.syncEveryMinutes)}
            >
              Save
            </Button>
            <Button onClick={() => void exportNow.submit()} loading={exportNow.busy} disabled={!settings.syncFolder}>
              Export now
            </Button>
            {s && (
              <Text size="sm" c="dimmed" data-testid="sync-pending">
                {s.pending.toLocaleString()} changes waiting · exported up to #{s.checkpoint.toLocaleString()} of #{s.lastSeq.toLocaleString()}
              </Text>
            )}
          </Group>
          {job?.state === 'running' && <Progress value={jobPercent(job)} animated aria-label="Sync export progress" />}
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
                {r.error && (
                  <Text span size="xs" c="red">
                    {r.error.message}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <CentralImport />
    </Stack>
  );
}
