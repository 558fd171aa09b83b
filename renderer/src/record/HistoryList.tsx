import { Group, Text, Timeline } from '@mantine/core';
import type { HistoryRow } from '../../../main/ipc/contract';
import { formatDate, formatDatesIn, formatTimestamp } from '../shared/dates';
import { StatusBadge } from '../shared/StatusBadge';

/** The full history, newest first: who, when, from → to, why. */
export function HistoryList({ history }: { history: HistoryRow[] }) {
  return (
    <Timeline bulletSize={14} lineWidth={2} data-testid="record-history">
      {history.map((h) => (
        <Timeline.Item
          key={h.id}
          title={
            <Group gap={6}>
              {h.from_status && h.from_status !== h.to_status && <StatusBadge status={h.from_status} size="xs" />}
              {h.from_status && h.from_status !== h.to_status && <Text size="xs">→</Text>}
              {h.to_status && <StatusBadge status={h.to_status} size="xs" />}
              {h.detail && <Text size="sm">{formatDatesIn(h.detail)}</Text>}
            </Group>
          }
        >
          <Text size="xs" c="dimmed">
            {formatDate(h.on_date)} · {h.actor_name} · {formatTimestamp(h.at)}
          </Text>
          <Text size="xs">{formatDatesIn(h.rule)}</Text>
          {h.reason && (
            <Text size="xs" fs="italic">
              Reason: {h.reason}
            </Text>
          )}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
