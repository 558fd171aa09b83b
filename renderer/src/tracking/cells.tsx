import { Progress, Text } from '@mantine/core';
import type { TrackingRow } from '../../../main/ipc/contract';

/*
 * The Tracking list's richer cells, drawn with Mantine's classes but as plain elements (sizes and colours in
 * app.css): fifty rows of Stack, Text and Progress components, each with its hooks and inline CSS variables,
 * were most of the React work of the first screen (issue 17).
 */

export function ContactCell({ row }: { row: TrackingRow }) {
  return (
    <div className="contact-cell">
      <p className={`${Text.classes.root} contact-cell-name`}>{row.contactName}</p>
      <p className={`${Text.classes.root} contact-cell-email`}>{row.email}</p>
    </div>
  );
}

export function ProgressCell({ row }: { row: TrackingRow }) {
  const percent = row.requiredTotal ? Math.round((100 * row.requiredDone) / row.requiredTotal) : 0;
  return (
    // The browser's own title, not a Mantine Tooltip: a tooltip per row positioned itself on every render of the list.
    <div className="progress-cell" title={`${row.requiredDone} of ${row.requiredTotal} required components completed`}>
      <p className={`${Text.classes.root} progress-cell-count`}>
        {row.requiredDone} / {row.requiredTotal}
      </p>
      <div className={`${Progress.classes.root} progress-cell-bar`}>
        <div
          className={Progress.classes.section}
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          aria-valuetext={`${percent}%`}
          aria-label={`Progress of ${row.contactName}`}
          style={{ width: `${percent}%` }}
        />
      </div>
    </div>
  );
}
