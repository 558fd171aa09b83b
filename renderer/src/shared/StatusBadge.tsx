import { Badge } from '@mantine/core';
import type { Status } from '../../../main/rules/statuses';
import { STATUS_COLORS } from './status';

export function StatusBadge({ status, size = 'sm' }: { status: Status; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  return (
    <Badge color={STATUS_COLORS[status]} variant="light" size={size} radius="sm" data-status={status}>
      {status}
    </Badge>
  );
}
