import type { DataTableColumn } from 'mantine-datatable';
import type { TrackingRow } from '../../../main/ipc/contract';
import { formatDate, formatTimestamp } from '../shared/dates';
import { StatusBadge } from '../shared/StatusBadge';

export const TRACKING_COLUMNS: DataTableColumn<TrackingRow>[] = [
  {
    accessor: 'contactName',
    title: 'Contact',
    sortable: true,
    // Plain elements styled like Mantine's Text (app.css): 50 rows of components were a large part of the first screen's render.
    render: (r) => (
      <div className="certdesk-cell-stack">
        <p className="certdesk-cell-text certdesk-cell-name">{r.contactName}</p>
        <p className="certdesk-cell-text certdesk-cell-xs certdesk-cell-dimmed">{r.email}</p>
      </div>
    ),
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

/**
 * Done of required, with a bar: plain elements styled like Mantine's Text and Progress (app.css), one per row.
 * The browser's own title, not a Mantine Tooltip: a tooltip per row positioned itself on every render of the list.
 */
function ProgressCell({ row }: { row: TrackingRow }) {
  const percent = row.requiredTotal ? Math.round((100 * row.requiredDone) / row.requiredTotal) : 0;
  return (
    <div className="certdesk-cell-stack certdesk-cell-gap" title={`${row.requiredDone} of ${row.requiredTotal} required components completed`}>
      <p className="certdesk-cell-text certdesk-cell-xs">
        {row.requiredDone} / {row.requiredTotal}
      </p>
      <div className="certdesk-progress">
        <div
          className="certdesk-progress-section"
          style={{ width: `${percent}%` }}
          role="progressbar"
          aria-label={`Progress of ${row.contactName}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          aria-valuetext={`${percent}%`}
        />
      </div>
    </div>
  );
}
