import { Alert, Button, Card, Group, Progress, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { BatchImportResult } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { RejectedLines } from '../shared/RejectedLines';
import { jobPercent, useJob } from '../shared/useJob';
import { useSubmit } from '../shared/useSubmit';

/** What each line of the counts table shows, in the order the import applies them. */
const KINDS = [
  { key: 'contacts', label: 'Contacts' },
  { key: 'programs', label: 'Certification programs' },
  { key: 'components', label: 'Components' },
  { key: 'applications', label: 'Applications' },
  { key: 'completions', label: 'Completions' },
  { key: 'activities', label: 'CE activities' },
] as const;

const counted = (n: number, word: string, words = `${word}s`): string => `${n.toLocaleString()} ${n === 1 ? word : words}`;

/** Per kind of row: new, changed, unchanged, rejected; `applied` says the import ran (else: a preview). */
function BatchCounts({ result, applied }: { result: BatchImportResult; applied: boolean }) {
  return (
    <Table fz="sm" withTableBorder data-testid={applied ? 'central-import-applied' : 'central-import-preview'} aria-label={applied ? 'Imported' : 'Preview'}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{applied ? 'Imported' : 'Would import'}</Table.Th>
          <Table.Th>new</Table.Th>
          <Table.Th>changed</Table.Th>
          <Table.Th>unchanged</Table.Th>
          <Table.Th>rejected</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {KINDS.map(({ key, label }) => (
          <Table.Tr key={key} data-kind={key}>
            <Table.Td>{label}</Table.Td>
            <Table.Td>{result[key].new.toLocaleString()}</Table.Td>
            <Table.Td>{result[key].changed.toLocaleString()}</Table.Td>
            <Table.Td>{result[key].unchanged.toLocaleString()}</Table.Td>
            <Table.Td>{result[key].rejected.toLocaleString()}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/**
 * Import from the central system's batches (the other direction of the sync): contacts, programs and
 * components, and application and completion events (CE activities among them, counted apart); a preview
 * per kind, then the apply as a job, whose counts per kind (applications and completions included) stay on screen.
 */
export function CentralImport() {
  const [folder, setFolder] = useState('');
  const [preview, setPreview] = useState<BatchImportResult | null>(null);
  const [applied, setApplied] = useState<BatchImportResult | null>(null);
  const importJob = useJob();
  const job = importJob.job;
  const runPreview = useSubmit(async () => {
    setApplied(null);
    setPreview(await call(api().imports.batchPreview({ folder: folder.trim() })));
  });
  const apply = useSubmit(async () => {
    const { result } = await importJob.run(api().imports.batchApply({ folder: folder.trim() }));
    setApplied(result);
    setPreview(null);
    notifications.show({
      color: 'green',
      message: `Imported from the central system: ${counted(result.applications.new, 'application')}, ${counted(result.completions.new, 'completion')} and ${counted(result.activities.new, 'CE activity', 'CE activities')} applied.`,
    });
  });
  const error = runPreview.error ?? apply.error;
  const shown = applied ?? preview;
  const toApply = preview ? preview.rows.new + preview.rows.changed : 0;
  return (
    <Card withBorder maw={900} data-testid="central-import">
      <Stack gap="sm">
        <Title order={4}>Import from the central system</Title>
        <Text size="sm" c="dimmed">
          Batches the central system wrote (contacts, certification programs, applications, completions and CE activities). Batches already imported are
          skipped.
        </Text>
        {error && (
          <Alert color="red" title="Not imported">
            {error}
          </Alert>
        )}
        <Group align="flex-end">
          <TextInput
            style={{ flex: 1 }}
            label="Batch folder"
            description="The folder that holds the central system's batches (full path)"
            value={folder}
            onChange={(e) => setFolder(e.currentTarget.value)}
          />
          <Button variant="default" onClick={() => void runPreview.submit()} loading={runPreview.busy} disabled={folder.trim() === ''}>
            Preview
          </Button>
        </Group>
        {shown && shown.problems.length > 0 && (
          <Alert color="red" title="The batches cannot be imported">
            {shown.problems.join(' ')}
          </Alert>
        )}
        {shown && shown.warnings.length > 0 && (
          <Text size="xs" c="dimmed">
            {shown.warnings.join(' ')}
          </Text>
        )}
        {shown && <BatchCounts result={shown} applied={shown === applied} />}
        {shown && shown.rejected.length > 0 && (
          <RejectedLines
            testId="central-import-rejected"
            placeWidth={220}
            maxHeight={160}
            // The batch's own file name; its folder (device and change range) is in the title.
            lines={shown.rejected.map((r) => ({
              key: `${r.file}-${r.line}`,
              place: `${r.file.split('/').pop()}, line ${r.line}`,
              title: r.file,
              reason: r.reason,
            }))}
          />
        )}
        {job?.state === 'running' && <Progress value={jobPercent(job)} animated aria-label="Import progress" />}
        {preview && preview.problems.length === 0 && (
          <Group justify="flex-end">
            <Button onClick={() => void apply.submit()} loading={apply.busy} disabled={toApply === 0}>
              Import {toApply.toLocaleString()} rows
            </Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}
