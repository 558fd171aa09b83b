import { Progress, Stack, Text } from '@mantine/core';
import type { DataTableColumn } from 'mantine-datatable';
import type { TrackingRow } from '../../../main/ipc/contract';
import { formatDate, formatTimestamp } from '../shared/dates';
import { StatusBadge } from '../shared/StatusBadge';

export const TRACKING_COLUMNS: DataTableColumn<TrackingRow>[] = [
  {
    accessor: 'contactName',
    title: 'Contact',
    sortable: true,
    render: (r) => (
      <Stack gap={0}>
        <Text size="sm" fw={600}>
          {r.contactName}
        </Text>
        <Text size="xs" c="dimmed">
          {r.email}
        </Text>
      </Stack>
    ),
  },
  { accessor: 'certification', title: 'Certification', sortable: true },
  { accessor: 'status', title: 'Status', sortable: true, width: 150, render: (r) => <StatusBadge status={r.status} /> },
  {
    accessor: 'progress',
    title: 'Progress',
    sortable: true,
    width: 120,
    render: (r) => (
      // The browser's own title, not a Mantine Tooltip: a tooltip per row positioned itself on every render of the list.
      <Stack gap={2} title={`${r.requiredDone} of ${r.requiredTotal} required components completed`}>
        <Text size="xs">
          {r.requiredDone} / {r.requiredTotal}
        </Text>
        <Progress size="sm" value={r.requiredTotal ? (100 * r.requiredDone) / r.requiredTotal : 0} aria-label={`Progress of ${r.contactName}`} />
      </Stack>
    ),
  },
  { accessor: 'appliedOn', title: 'Applied', sortable: true, noWrap: true, render: (r) => formatDate(r.appliedOn) },
  { accessor: 'startedOn', title: 'Started', sortable: true, noWrap: true, render: (r) => formatDate(r.startedOn) },
  { accessor: 'completedOn', title: 'Completed', sortable: true, noWrap: true, render: (r) => formatDate(r.completedOn) },
  { accessor: 'expiresOn', title: 'Expires', sortable: true, noWrap: true, render: (r) => formatDate(r.expiresOn) },
  {
    accessor: 'creditsNeeded',
    title: 'Credits needed',
    sortable: true,
    noWrap: true,
    // Empty: the certification has no renewal requirement (or the record holds no cycle).
    render: (r) => (r.creditsNeeded === null ? '' : String(r.creditsNeeded)),
  },
  { accessor: 'updatedAt', title: 'Last change', sortable: true, noWrap: true, render: (r) => formatTimestamp(r.updatedAt) },
];
