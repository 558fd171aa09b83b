import type { DataTableColumn } from 'mantine-datatable';
import type { TrackingRow } from '../../../main/ipc/contract';
import { formatDate, formatTimestamp } from '../shared/dates';
import { StatusBadge } from '../shared/StatusBadge';
import { ContactCell, ProgressCell } from './cells';

export const TRACKING_COLUMNS: DataTableColumn<TrackingRow>[] = [
  {
    accessor: 'contactName',
    title: 'Contact',
    sortable: true,
    render: (r) => <ContactCell row={r} />,
  },
  { accessor: 'certification', title: 'Certification', sortable: true },
  { accessor: 'status', title: 'Status', sortable: true, width: 150, render: (r) => <StatusBadge status={r.status} /> },
  {
    accessor: 'progress',
    title: 'Progress',
    sortable: true,
    width: 120,
    render: (r) => <ProgressCell row={r} />,
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
