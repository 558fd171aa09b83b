import { Badge } from '@mantine/core';
import type { Status } from '../../../main/rules/statuses';
import { STATUS_COLORS } from './status';

/**
 * A status as Mantine's light badge, drawn with Badge's own classes but as plain elements: the Tracking
 * list shows one per row, and the component's hooks and inline CSS variables were a good part of drawing
 * the first screen (issue 17). Its size and colour come from app.css (`.status-badge`).
 */
export function StatusBadge({ status, size = 'sm' }: { status: Status; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  return (
    <div className={`${Badge.classes.root} status-badge`} data-variant="light" data-size={size} data-color={STATUS_COLORS[status]} data-status={status}>
      <span className={Badge.classes.label}>{status}</span>
    </div>
  );
}
