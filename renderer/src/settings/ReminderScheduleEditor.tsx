import { ActionIcon, Alert, Button, Card, Divider, Group, NumberInput, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { EMAIL_PLACEHOLDERS } from '../../../main/domain/expiring-email';
import { MAX_REMINDERS, newReminder, reminderScheduleSchema, sortedSchedule, type Reminder } from '../../../main/domain/reminders';
import { api, call, messageOf } from '../api';
import { useLoad } from '../shared/useLoad';

/**
 * A certification's reminder schedule (issue 18): extra emails at days before or after the expiration
 * date, each with its own subject and text, queued once per record and cycle. Saved on its own (the
 * program form saves the rest). The global n still alone decides Expiring and its email.
 */
export function ReminderScheduleEditor({ programId }: { programId: number | null }) {
  return (
    <>
      <Divider label="Reminder schedule (saved on its own)" labelPosition="left" />
      {programId === null ? (
        <Text size="sm" c="dimmed">
          Create the certification first; then add its reminders here.
        </Text>
      ) : (
        <ScheduleForm programId={programId} />
      )}
    </>
  );
}

function ScheduleForm({ programId }: { programId: number }) {
  const stored = useLoad(() => call(api().programs.reminders({ programId })), [programId]);
  const [draft, setDraft] = useState<Reminder[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const list = draft ?? stored.data ?? [];
  const edit = (i: number, patch: Partial<Reminder>) => setDraft(list.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const save = async () => {
    const parsed = reminderScheduleSchema.safeParse(list);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const row = typeof issue?.path[0] === 'number' ? `Reminder ${issue.path[0] + 1}: ` : '';
      setError(`${row}${issue?.message ?? 'Check the reminders.'}`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const saved = await call(api().programs.setReminders({ programId, reminders: parsed.data }));
      setDraft(saved.reminders);
      notifications.show({
        color: 'green',
        message: `Reminders saved: ${saved.queued} due today queued${saved.withdrawn ? `, ${saved.withdrawn} of removed reminders withdrawn` : ''}.`,
      });
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="xs" data-testid="reminder-schedule">
      <Text size="xs" c="dimmed">
        Each reminder is queued once per record and cycle, on its day (or at once when a date changes), and withdrawn when no longer true (date extended,
        cancelled, renewed). Placeholders: {EMAIL_PLACEHOLDERS.join(' ')}. The "Certification Expiring" email and n are set in Certification General Settings.
      </Text>
      {stored.error && <Alert color="red">{stored.error}</Alert>}
      {error && (
        <Alert color="red" data-testid="reminder-error">
          {error}
        </Alert>
      )}
      {list.map((r, i) => (
        <Card key={i} withBorder padding="xs">
          <Stack gap={6}>
            <Group gap="xs" align="flex-end">
              <NumberInput
                size="xs"
                label="Days"
                aria-label={`Reminder ${i + 1} days`}
                min={1}
                max={365}
                allowDecimal={false}
                allowNegative={false}
                w={90}
                value={r.days}
                onChange={(v) => edit(i, { days: typeof v === 'number' ? v : 0 })}
              />
              <Select
                size="xs"
                label="When"
                aria-label={`Reminder ${i + 1} when`}
                w={190}
                data={[
                  { value: 'before', label: 'before expiration' },
                  { value: 'after', label: 'after expiration' },
                ]}
                value={r.when}
                allowDeselect={false}
                onChange={(v) => edit(i, { when: v === 'after' ? 'after' : 'before' })}
                comboboxProps={{ withinPortal: true }}
              />
              <TextInput
                size="xs"
                label="Subject"
                aria-label={`Reminder ${i + 1} subject`}
                style={{ flex: 1 }}
                value={r.subject}
                onChange={(e) => edit(i, { subject: e.currentTarget.value })}
              />
              <ActionIcon variant="subtle" color="red" aria-label={`Remove reminder ${i + 1}`} onClick={() => setDraft(list.filter((_, j) => j !== i))}>
                ×
              </ActionIcon>
            </Group>
            <Textarea
              size="xs"
              aria-label={`Reminder ${i + 1} text`}
              autosize
              minRows={2}
              maxRows={6}
              value={r.body}
              onChange={(e) => edit(i, { body: e.currentTarget.value })}
            />
          </Stack>
        </Card>
      ))}
      <Group>
        <Button size="xs" variant="light" disabled={list.length >= MAX_REMINDERS} onClick={() => setDraft(sortedSchedule([...list, nextReminder(list)]))}>
          + Reminder
        </Button>
        <Button size="xs" onClick={() => void save()} loading={busy} disabled={draft === null}>
          Save reminders
        </Button>
      </Group>
    </Stack>
  );
}

/** A sensible next offset: 90, 60, 30 days before, then 30 after (the usual schedule). */
function nextReminder(list: readonly Reminder[]): Reminder {
  const taken = new Set(list.map((r) => `${r.when}${r.days}`));
  const free = (
    [
      [90, 'before'],
      [60, 'before'],
      [30, 'before'],
      [30, 'after'],
      [60, 'after'],
    ] as const
  ).find(([d, w]) => !taken.has(`${w}${d}`));
  return free ? newReminder(free[0], free[1]) : newReminder(1, 'before');
}
