import { Alert, Button, Divider, Drawer, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ContactRow } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { formatDate, formatDatesIn } from '../shared/dates';
import { StatusBadge } from '../shared/StatusBadge';
import { useLoad } from '../shared/useLoad';
import { useSession } from '../session';
import { ComponentsTable } from './ComponentsTable';
import { ContactEditor } from './ContactEditor';
import { CreditsPanel } from './CreditsPanel';
import { ExpirationEditor } from './ExpirationEditor';
import { HistoryList } from './HistoryList';
import { NotesEditor } from './NotesEditor';
import { MoveButtons } from './MoveButtons';

function DateField({ label, value }: { label: string; value: string | null }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{formatDate(value)}</Text>
    </Stack>
  );
}

/** The certification record: contact, certification, status and its allowed moves, components, dates, history. */
export function RecordDrawer({
  id,
  onClose,
  onChanged,
  onApplication,
}: {
  id: number | null;
  onClose: () => void;
  onChanged: () => void;
  /** "Record application" for this record's contact (another certification). */
  onApplication?: (contact: ContactRow) => void;
}) {
  const { info } = useSession();
  const detail = useLoad(() => (id === null ? Promise.resolve(null) : call(api().records.get({ id }))), [id]);
  const d = detail.data;
  const changed = () => {
    detail.reload();
    onChanged();
  };
  return (
    <Drawer opened={id !== null} onClose={onClose} position="right" size="xl" title="Certification record" data-testid="record-drawer">
      {detail.error && <Alert color="red">{detail.error}</Alert>}
      {!d && detail.loading && <Loader />}
      {d && (
        <Stack gap="md">
          <Stack gap={2}>
            <Group justify="space-between">
              <Title order={3}>
                {d.contact.first_name} {d.contact.last_name}
              </Title>
              <Group gap="xs">
                {onApplication && (
                  <Button variant="subtle" size="compact-sm" onClick={() => onApplication(d.contact)}>
                    Record application
                  </Button>
                )}
                <ContactEditor key={d.contact.updated_at} contact={d.contact} onDone={changed} />
              </Group>
            </Group>
            <Text size="sm" c="dimmed">
              {d.contact.email} · {d.contact.member_number ?? 'no member number'} · {d.contact.organization}
            </Text>
          </Stack>
          <Group justify="space-between">
            <Stack gap={2}>
              <Text fw={600}>{d.program.name}</Text>
              <Text size="xs" c="dimmed">
                {d.program.code} · {formatDatesIn(d.program.expirationText)}
                {d.program.require_approval ? ' · requires approval' : ''}
                {d.program.require_completion_approval ? ' · completion reviewed by an admin' : ''}
              </Text>
            </Stack>
            <StatusBadge status={d.record.status} size="lg" />
          </Group>
          {d.moves.length > 0 && <MoveButtons recordId={d.record.id} from={d.record.status} moves={d.moves} onDone={changed} />}
          <SimpleGrid cols={5}>
            <DateField label="Applied" value={d.record.applied_on} />
            <DateField label="Started" value={d.record.started_on} />
            <DateField label="Completed" value={d.record.completed_on} />
            <DateField label="Approved" value={d.record.approved_on} />
            <Group gap={4} align="flex-end">
              <DateField label="Expires" value={d.record.expires_on} />
              {d.canOverrideExpiration && <ExpirationEditor recordId={d.record.id} current={d.record.expires_on} onDone={changed} />}
            </Group>
          </SimpleGrid>
          <Divider label={`Components (cycle ${d.record.cycle})`} labelPosition="left" />
          <ComponentsTable detail={d} today={info.today} onDone={changed} />
          {d.program.renewal_credits !== null && <Divider label="Renewal credits" labelPosition="left" />}
          {d.program.renewal_credits !== null && <CreditsPanel recordId={d.record.id} version={d.record.updated_at} today={info.today} onDone={changed} />}
          <Divider label="Notes" labelPosition="left" />
          <NotesEditor key={`notes-${d.record.updated_at}`} recordId={d.record.id} notes={d.record.notes} onDone={changed} />
          <Divider label="History" labelPosition="left" />
          <HistoryList history={d.history} />
        </Stack>
      )}
    </Drawer>
  );
}
