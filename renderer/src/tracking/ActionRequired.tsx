import { Group, Paper, Text, UnstyledButton } from '@mantine/core';
import type { Status } from '../../../main/rules/statuses';
import type { TrackingCounts } from '../../../main/ipc/contract';
import { useSession } from '../session';
import { formatDate } from '../shared/dates';
import { STATUS_COLORS } from '../shared/status';
import { tint } from '../theme';

const ITEMS: Array<{ status: Status; label: string; hint: string }> = [
  { status: 'Applied', label: 'Applications to review', hint: 'Approve or decline' },
  { status: 'Admin Review', label: 'Completions to approve', hint: 'Every required component done' },
  { status: 'Expiring', label: 'Expiring soon', hint: 'Renewal reminders queued' },
];

/** What waits for staff, each a click away from the filtered list. */
/** Whole days from one calendar date to another. */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function waited(days: number): string {
  return days <= 0 ? 'today' : days === 1 ? '1 day' : `${days.toLocaleString()} days`;
}

export function ActionRequired({ counts, onPick }: { counts: TrackingCounts | null; onPick: (status: Status) => void }) {
  const { today } = useSession().info;
  const oldest = counts?.oldestAppliedOn ?? null;
  return (
    <Group gap="sm" data-testid="action-required">
      {ITEMS.map((item) => (
        <UnstyledButton key={item.status} onClick={() => onPick(item.status)}>
          <Paper withBorder px="md" py={6} radius="md" style={{ borderLeft: `4px solid var(--mantine-color-${STATUS_COLORS[item.status]}-6)` }}>
            <Group gap="sm" wrap="nowrap">
              <Text fw={700} size="xl" c={tint(STATUS_COLORS[item.status])}>
                {counts ? counts.byStatus[item.status].toLocaleString() : '…'}
              </Text>
              <div>
                <Text size="sm" fw={600} lh={1.2}>
                  {item.label}
                </Text>
                <Text size="xs" c="dimmed" lh={1.2} data-testid={item.status === 'Applied' ? 'oldest-application' : undefined}>
                  {item.status === 'Applied' && oldest ? `Oldest applied ${formatDate(oldest)} · waiting ${waited(daysBetween(oldest, today))}` : item.hint}
                </Text>
              </div>
            </Group>
          </Paper>
        </UnstyledButton>
      ))}
    </Group>
  );
}
