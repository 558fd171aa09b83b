import { Alert, Button, FileInput, Group, Modal, Progress, SegmentedControl, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { CsvImportResult } from '../../../main/ipc/contract';
import type { CsvImportKind } from '../../../main/ipc/contract';
import { api } from '../api';
import { useSession } from '../session';
import { RejectedLines } from '../shared/RejectedLines';
import { jobPercent, useJob } from '../shared/useJob';
import { useSubmit } from '../shared/useSubmit';
import { tint } from '../theme';
import { ImportChanges } from './ImportChanges';

type Kind = CsvImportKind;

const HINTS: Record<Kind, string> = {
  contacts:
    'Rows are matched by central id, then member number; a row without either is new unless a contact with the same name and email exists. A new contact never takes another’s email or member number. Importing the same file again changes nothing.',
  programs: 'Rows are matched by code. Expiration: never, a period (“3 years”, “18 months”, “90 days”) or a date.',
  applications:
    'One row per application: the contact (member number, central ID or email), the certification code, the application date (YYYY-MM-DD) and an optional note. A certification that requires approval starts Applied, others In Progress.',
  records:
    'Existing records from your previous system, one row each: the contact (member number, central ID or email), the certification code, the status, the applied, started, completed, approved and expires dates (YYYY-MM-DD), the cycle and the completed components (names separated by “;”). Active, Expiring and Expired follow the dates; a record already in CertDesk is never overwritten.',
  completions:
    'One row per completed component: the contact (member number, central ID or email), the certification code, the component name, the day it was completed (YYYY-MM-DD), and optionally the credits or hours and the source. The contact must be enrolled; the last required component completes the certification. The same completion twice counts once. A row with a CE category (and a title and credits) instead of a component is a CE activity towards renewal.',
};

/** The file's bytes as base64: main decodes them (UTF-8, UTF-16, Windows-1252), never the browser. */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve((reader.result as string).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('The file cannot be read.'));
    reader.readAsDataURL(file);
  });
}

function Count({ label, value, color }: { label: string; value: number; color: string }) {
  return (
    <Stack gap={0} align="center">
      <Text fw={700} size="xl" c={tint(color)}>
        {value.toLocaleString()}
      </Text>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
    </Stack>
  );
}

/** "Rejected: the first 200 of 30,000 lines": the preview lists only the first lines of each kind. */
function ListHeading({ what, listed, total, testId }: { what: string; listed: number; total: number; testId: string }) {
  return (
    <Text size="sm" fw={600} data-testid={testId}>
      {what}
      {listed < total ? `: the first ${listed.toLocaleString()} of ${total.toLocaleString()} lines` : ''}
    </Text>
  );
}

/** "Notes, Fax and 2 columns without a header" (a spreadsheet's trailing commas), not "Notes, Fax, , ". */
function unmappedInWords(headers: string[]): string {
  const named = headers.filter((h) => h !== '');
  const blank = headers.length - named.length;
  const words = blank === 0 ? [] : [blank === 1 ? 'a column without a header' : `${blank} columns without a header`];
  return [...named, ...words].join(', ');
}

/**
 * Which column holds each field. Detected from the headers; a choice here re-runs the preview. While the
 * header row cannot be mapped by itself, the fields not chosen yet are still found by their headers.
 */
function ColumnMapping({
  preview,
  mapping,
  onChange,
}: {
  preview: CsvImportResult<string>;
  mapping: Record<string, string | null>;
  onChange: (field: string, header: string | null) => void;
}) {
  // A header that appears twice, or an empty one, is listed once (the select takes each option once).
  const headers = [...new Set(preview.headers)].filter((h) => h !== '');
  return (
    <Stack gap="xs" data-testid="import-columns">
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
            // A column staff cleared is not imported, even while the file cannot be read as it stands.
            placeholder={preview.fileError && mapping[field] !== null ? 'Found by its header' : 'Not imported'}
            data={headers}
            value={mapping[field] ?? preview.mapping[field] ?? null}
            clearable
            comboboxProps={{ withinPortal: true }}
            onChange={(h) => onChange(field, h)}
          />
        ))}
      </SimpleGrid>
      {!preview.fileError && preview.unmappedHeaders.length > 0 && (
        <Text size="xs" c="dimmed" data-testid="import-unmapped">
          Not imported: {unmappedInWords(preview.unmappedHeaders)}
        </Text>
      )}
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
  const [data, setData] = useState<string | null>(null);
  const [fileName, setFileName] = useState<string | undefined>(undefined);
  const [mapping, setMapping] = useState<Record<string, string | null>>({});
  const [preview, setPreview] = useState<CsvImportResult<string> | null>(null);
  const importJob = useJob();
  const job = importJob.job;
  // The preview runs as a job: a big file shows how far reading it got, then that its rows are being checked.
  const previewJob = useJob();
  const runPreview = useSubmit(async (bytes: string, name: string | undefined, map: Record<string, string | null>) => {
    setPreview((await previewJob.run(api().imports.previewJob({ kind, data: bytes, fileName: name, mapping: map }))).result);
  });
  const apply = useSubmit(async () => {
    if (!data || !preview) return;
    const { result: r } = await importJob.run(api().imports.apply({ kind, data, fileName, mapping, expectSha256: preview.sha256 }));
    notifications.show({
      color: 'green',
      message: `Imported: ${r.rows.new} new, ${r.rows.changed} changed, ${r.rows.unchanged} unchanged, ${r.rows.rejected} rejected.`,
    });
    onDone();
  });
  const error = runPreview.error ?? apply.error;

  const reset = () => {
    setData(null);
    setPreview(null);
    importJob.reset();
    previewJob.reset();
    runPreview.setError(null);
    apply.setError(null);
    setMapping({});
  };
  const onFile = async (file: File | null) => {
    reset();
    if (!file) return;
    const content = await readBase64(file);
    setData(content);
    setFileName(file.name);
    await runPreview.submit(content, file.name, {});
  };

  const remap = (field: string, header: string | null) => {
    const next = { ...mapping, [field]: header };
    setMapping(next);
    if (data) void runPreview.submit(data, fileName, next);
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
            { value: 'applications', label: 'Applications' },
            { value: 'records', label: 'Existing records' },
            { value: 'completions', label: 'Completions' },
          ]}
        />
        <Text size="sm" c="dimmed">
          {HINTS[kind]}
        </Text>
        <FileInput
          label="CSV file"
          placeholder="Choose a .csv file"
          accept=".csv,text/csv"
          onChange={(f) => void onFile(f)}
          clearable
          clearButtonProps={{ 'aria-label': 'Clear the file' }}
          data-testid="import-file"
        />
        {runPreview.busy && previewJob.job?.state === 'running' && (
          <Stack gap={4} data-testid="import-preview-progress">
            <Text size="sm">{previewJob.job.message || 'Reading the file'}</Text>
            <Progress value={jobPercent(previewJob.job)} animated aria-label="Preview progress" />
          </Stack>
        )}
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
        {/* A header the import cannot map by itself ("Surname" and "Last Name") is answered here, not in the file. */}
        {preview?.fileError && preview.headers.length > 0 && <ColumnMapping preview={preview} mapping={mapping} onChange={remap} />}
        {preview && !preview.fileError && (
          <Stack gap="sm" data-testid="import-preview">
            <SimpleGrid cols={4}>
              <Count label="new" value={preview.rows.new} color="green" />
              <Count label="changed" value={preview.rows.changed} color="blue" />
              <Count label="unchanged" value={preview.rows.unchanged} color="gray" />
              <Count label="rejected" value={preview.rows.rejected} color="red" />
            </SimpleGrid>
            {preview.summary && preview.summary.length > 0 && (
              <Stack gap={0} data-testid="import-summary">
                {preview.summary.map((line) => (
                  <Text key={line} size="sm">
                    {line}
                  </Text>
                ))}
              </Stack>
            )}
            <Text size="xs" c="dimmed" data-testid="import-encoding">
              Read as {preview.encoding}
              {preview.encoding === 'Windows-1252' ? ' (the file is not UTF-8; check that names with accents look right below)' : ''}.
            </Text>
            <ColumnMapping preview={preview} mapping={mapping} onChange={remap} />
            {preview.changes.length > 0 && (
              <>
                <ListHeading testId="import-changes-heading" what="To import" listed={preview.changes.length} total={preview.rows.new + preview.rows.changed} />
                <ImportChanges changes={preview.changes} />
              </>
            )}
            {preview.rejected.length > 0 && (
              <ListHeading testId="import-rejected-heading" what="Rejected" listed={preview.rejected.length} total={preview.rows.rejected} />
            )}
            {preview.rejected.length > 0 && (
              <RejectedLines
                testId="import-rejected"
                placeWidth={80}
                maxHeight={180}
                lines={preview.rejected.map((r) => ({ key: String(r.line), place: `Line ${r.line}`, reason: r.reason }))}
              />
            )}
            {job?.state === 'running' && <Progress value={jobPercent(job)} animated aria-label="Import progress" />}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => (reset(), onClose())}>
                Close
              </Button>
              <Button onClick={() => void apply.submit()} disabled={preview.rows.new + preview.rows.changed === 0} loading={apply.busy}>
                Import {(preview.rows.new + preview.rows.changed).toLocaleString()} {preview.rows.new + preview.rows.changed === 1 ? 'row' : 'rows'}
                {preview.rows.rejected ? ` (skip ${preview.rows.rejected} rejected)` : ''}
              </Button>
            </Group>
          </Stack>
        )}
      </Stack>
    </Modal>
  );
}
