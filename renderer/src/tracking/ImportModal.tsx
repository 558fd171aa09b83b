import { Alert, Button, FileInput, Group, Modal, Progress, ScrollArea, SegmentedControl, Select, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { CsvImportResult } from '../../../main/ipc/contract';
import type { JobStatus } from '../../../main/ipc/contract';
import { api, call, followJob, messageOf } from '../api';
import { useSession } from '../session';

type Kind = 'contacts' | 'programs';


function Count({ label, value, color }: { label: string; value: number; color: string }) {
  return (
    <Stack gap={0} align="center">
      <Text fw={700} size="xl" c={color}>
        {value.toLocaleString()}
      </Text>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
    </Stack>
  );
}

/**
 * Import contacts or certification programs from CSV: a preview (new, changed,
 * unchanged, rejected with line and reason), then one transaction with progress.
 */
export function ImportModal({ opened, onClose, onDone }: { opened: boolean; onClose: () => void; onDone: () => void }) {
  const { info } = useSession();
  const [kind, setKind] = useState<Kind>('contacts');
  const [text, setText] = useState<string | null>(null);
  const [mapping, setMapping] = useState<Record<string, string | null>>({});
  const [preview, setPreview] = useState<CsvImportResult<string> | null>(null);
  const [job, setJob] = useState<JobStatus | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reset = () => {
    setText(null);
    setPreview(null);
    setJob(null);
    setError(null);
    setMapping({});
  };
  const runPreview = async (csv: string, map: Record<string, string | null>) => {
    setError(null);
    try {
      setPreview(await call(api().imports.preview({ kind, text: csv, mapping: map })));
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const onFile = async (file: File | null) => {
    reset();
    if (!file) return;
    const content = await file.text();
    setText(content);
    await runPreview(content, {});
  };
  const apply = async () => {
    if (!text || !preview) return;
    setError(null);
    try {
      const { result: r } = await followJob(api().imports.apply({ kind, text, mapping, expectSha256: preview.sha256 }), setJob);
      notifications.show({ color: 'green', message: `Imported: ${r.rows.new} new, ${r.rows.changed} changed, ${r.rows.unchanged} unchanged, ${r.rows.rejected} rejected.` });
      onDone();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <Modal opened={opened} onClose={() => (reset(), onClose())} title="Import from CSV" size="xl" centered>
      <Stack data-testid="import-modal">
        <SegmentedControl
          value={kind}
          onChange={(v) => {
            reset();
            setKind(v);
          }}
          data={[
            { value: 'contacts', label: 'Contacts' },
            { value: 'programs', label: 'Certification programs', disabled: info.user?.role !== 'admin' },
          ]}
        />
        <Text size="sm" c="dimmed">
          {kind === 'contacts'
            ? 'Rows are matched by central id, then member number; a row without either is new unless a contact with the same name and email exists. Importing the same file again changes nothing.'
            : 'Rows are matched by code. Expiration: never, a period (“3 years”, “18 months”, “90 days”) or a date.'}
        </Text>
        <FileInput label="CSV file" placeholder="Choose a .csv file" accept=".csv,text/csv" onChange={(f) => void onFile(f)} clearable data-testid="import-file" />
        {error && (
          <Alert color="red" title="Not imported">
            {error}
          </Alert>
        )}
        {preview?.fileError && (
          <Alert color="red" title={`The file cannot be imported (line ${preview.fileError.line})`} data-testid="import-file-error">
            {preview.fileError.reason} Nothing will be imported.
          </Alert>
        )}
        {preview && !preview.fileError && (
          <Stack gap="sm" data-testid="import-preview">
            <SimpleGrid cols={4}>
              <Count label="new" value={preview.rows.new} color="green.7" />
              <Count label="changed" value={preview.rows.changed} color="blue.7" />
              <Count label="unchanged" value={preview.rows.unchanged} color="gray.7" />
              <Count label="rejected" value={preview.rows.rejected} color="red.7" />
            </SimpleGrid>
            <Text size="sm" fw={600}>
              Columns
            </Text>
            <SimpleGrid cols={4}>
              {preview.fields.map(({ field, label, required }) => (
                <Select
                  key={field}
                  size="xs"
                  label={label}
                  withAsterisk={required}
                  placeholder="Not imported"
                  data={preview.headers}
                  value={mapping[field] ?? preview.mapping[field] ?? null}
                  clearable
                  comboboxProps={{ withinPortal: true }}
                  onChange={(h) => {
                    const next = { ...mapping, [field]: h };
                    setMapping(next);
                    if (text) void runPreview(text, next);
                  }}
                />
              ))}
            </SimpleGrid>
            {preview.unmappedHeaders.length > 0 && (
              <Text size="xs" c="dimmed">
                Not imported: {preview.unmappedHeaders.join(', ')}
              </Text>
            )}
            {preview.rejected.length > 0 && (
              <ScrollArea.Autosize mah={180}>
                <Table fz="xs" striped data-testid="import-rejected">
                  <Table.Tbody>
                    {preview.rejected.map((r) => (
                      <Table.Tr key={r.line}>
                        <Table.Td w={80}>Line {r.line}</Table.Td>
                        <Table.Td>{r.reason}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollArea.Autosize>
            )}
            {job?.state === 'running' && <Progress value={job.total ? (100 * job.done) / job.total : 100} animated />}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => (reset(), onClose())}>
                Close
              </Button>
              <Button onClick={() => void apply()} disabled={preview.rows.new + preview.rows.changed === 0} loading={job?.state === 'running'}>
                Import {(preview.rows.new + preview.rows.changed).toLocaleString()} rows{preview.rows.rejected ? ` (skip ${preview.rows.rejected} rejected)` : ''}
              </Button>
            </Group>
          </Stack>
        )}
      </Stack>
    </Modal>
  );
}
