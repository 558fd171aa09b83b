import { Alert, Badge, Button, Group, NumberInput, Progress, Select, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { useState } from 'react';
import type { RecordCredits } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { CALENDAR_IN_POPOVER_FORM, CalendarDateInput } from '../shared/CalendarDateInput';
import { formatDate, formatDatesIn } from '../shared/dates';
import { PopoverForm } from '../shared/PopoverForm';
import { useLoad } from '../shared/useLoad';
import { useSubmit } from '../shared/useSubmit';
import { tint } from '../theme';

const pct = (earned: number, of: number): number => (of <= 0 ? 100 : Math.min(100, (earned / of) * 100));

/**
 * Renewal credits of a record: progress per category, the activities of every cycle, add, remove with a reason, renew.
 * `version` (the record's updated_at) reloads the credits when the record changed elsewhere; the panel keeps
 * showing the last answer meanwhile, rather than vanishing and coming back under the reader's eyes.
 */
export function CreditsPanel({ recordId, version, today, onDone }: { recordId: number; version: string; today: string; onDone: () => void }) {
  const credits = useLoad(() => call(api().credits.get({ id: recordId })), [recordId, version]);
  const categories = useLoad(() => call(api().credits.categories({})), []);
  const c = credits.data;
  const changed = () => {
    credits.reload();
    onDone();
  };
  if (credits.error) return <Alert color="red">{credits.error}</Alert>;
  if (!c) return null;
  if (!c.requirement) {
    return (
      <Text size="sm" c="dimmed">
        This certification has no renewal requirement.
      </Text>
    );
  }
  return (
    <Stack gap="xs" data-testid="credits-panel">
      <Standing credits={c} today={today} />
      <Group gap="xs">
        {c.canAdd && <AddActivity recordId={recordId} today={today} categories={categories.data?.map((x) => x.name) ?? null} onDone={changed} />}
        <Renew recordId={recordId} credits={c} onDone={changed} />
      </Group>
      <Activities credits={c} onDone={changed} />
    </Stack>
  );
}

function Standing({ credits: c, today }: { credits: RecordCredits; today: string }) {
  const s = c.standing;
  if (!s || !c.cycle) {
    return (
      <Text size="sm" c="dimmed">
        {c.requirement?.credits} credits per cycle. No cycle is running: credits count once the certification is held (from its completion date to its
        expiration date).
      </Text>
    );
  }
  return (
    <Stack gap={6}>
      <Group justify="space-between">
        <Text size="sm">
          Cycle {c.currentCycleNumber}: {formatDate(c.cycle.startsOn)} – {formatDate(c.cycle.endsOn)}
        </Text>
        {s.met ? (
          <Badge color="green">Requirement met</Badge>
        ) : c.onTrack ? (
          <Badge color="green" variant="light">
            On track
          </Badge>
        ) : (
          <Badge color="orange" variant="light">
            Behind (as of {formatDate(today)})
          </Badge>
        )}
      </Group>
      <Stack gap={2}>
        <Group justify="space-between">
          <Text size="sm" fw={600}>
            Total
          </Text>
          <Text size="sm" data-testid="credits-total">
            {s.earned} of {s.required} credits · {s.needed} still needed
          </Text>
        </Group>
        <Progress value={pct(s.counted, s.required)} aria-label={`Total credits: ${s.counted} of ${s.required}`} />
      </Stack>
      {s.byCategory.map((cat) => (
        <Stack gap={2} key={cat.category}>
          <Group justify="space-between">
            <Text size="sm">{cat.category}</Text>
            <Text size="sm" data-testid={`credits-category-${cat.category}`}>
              {cat.minimum > 0 ? `${cat.earned} of at least ${cat.minimum}` : `${cat.earned} (no minimum)`}
              {cat.short > 0 ? ` · ${cat.short} short` : ''}
            </Text>
          </Group>
          {cat.minimum > 0 && (
            <Progress color={cat.short > 0 ? 'orange' : 'green'} value={pct(cat.earned, cat.minimum)} aria-label={`${cat.category} credits`} />
          )}
        </Stack>
      ))}
      {s.carriedIn > 0 && (
        <Text size="xs" c="dimmed">
          Includes {s.carriedIn} credits carried over from the previous cycle (they count towards the total only).
        </Text>
      )}
      {s.outside > 0 && (
        <Text size="xs" c={tint('orange')}>
          {s.outside} credits recorded in this cycle are dated outside it and do not count.
        </Text>
      )}
    </Stack>
  );
}

/** `categories`: null while they load (the list would open empty and stay shut once they arrive). */
function AddActivity({ recordId, today, categories, onDone }: { recordId: number; today: string; categories: string[] | null; onDone: () => void }) {
  const [earnedOn, setEarnedOn] = useState<string | null>(today);
  const [title, setTitle] = useState('');
  const [category, setCategory] = useState<string | null>(null);
  const [credits, setCredits] = useState<number | string>('');
  const [source, setSource] = useState('');
  const submit = async () => {
    await call(
      api().credits.addActivity({
        recordId,
        earnedOn: earnedOn ?? '',
        title,
        category: category ?? '',
        credits: typeof credits === 'number' ? credits : Number.NaN,
        source,
      }),
    );
    setTitle('');
    setCredits('');
    setSource('');
    onDone();
  };
  return (
    <PopoverForm trigger="+ CE activity" position="bottom-start" width={320} submitLabel="Add activity" onSubmit={submit}>
      {(error) => (
        <>
          {error && (
            <Text size="xs" c="red" role="alert">
              {error}
            </Text>
          )}
          <CalendarDateInput label="Date" value={earnedOn} onChange={setEarnedOn} maxDate={today} required popoverProps={CALENDAR_IN_POPOVER_FORM} />
          <TextInput label="Title" value={title} onChange={(e) => setTitle(e.currentTarget.value)} required />
          <Select
            label="Category"
            data={categories ?? []}
            disabled={categories === null}
            placeholder={categories === null ? 'Loading categories…' : undefined}
            value={category}
            onChange={setCategory}
            required
            allowDeselect={false}
            comboboxProps={{ withinPortal: false }}
          />
          <NumberInput label="Credits" value={credits} onChange={setCredits} min={0.01} max={10000} decimalScale={2} required />
          <TextInput label="Source" value={source} onChange={(e) => setSource(e.currentTarget.value)} placeholder="Conference, provider, learning system…" />
        </>
      )}
    </PopoverForm>
  );
}

function Renew({ recordId, credits: c, onDone }: { recordId: number; credits: RecordCredits; onDone: () => void }) {
  const { submit, busy, error } = useSubmit(async () => {
    await call(api().credits.renew({ id: recordId }));
    onDone();
  });
  if (!c.renewal.allowed) return null;
  const r = c.renewal;
  return (
    <Stack gap={2}>
      <Button size="xs" color="green" loading={busy} onClick={() => void submit()}>
        Renew: next cycle {formatDate(r.next.startsOn)} – {formatDate(r.next.endsOn)}
        {r.carryOver > 0 ? `, ${r.carryOver} credits carried over` : ''}
        {r.to === 'Admin Review' ? ' (Admin Review)' : ''}
      </Button>
      {error && (
        <Text size="xs" c="red">
          {error}
        </Text>
      )}
    </Stack>
  );
}

function Activities({ credits: c, onDone }: { credits: RecordCredits; onDone: () => void }) {
  if (c.activities.length === 0) {
    return (
      <Text size="xs" c="dimmed">
        No CE activities recorded yet.
      </Text>
    );
  }
  return (
    <Table striped withTableBorder fz="sm" data-testid="credits-activities">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Cycle</Table.Th>
          <Table.Th>Date</Table.Th>
          <Table.Th>Title</Table.Th>
          <Table.Th>Category</Table.Th>
          <Table.Th>Credits</Table.Th>
          <Table.Th>Source</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {c.activities.map((a) => (
          <Table.Tr key={a.id} c={a.notCounted ? 'dimmed' : undefined}>
            <Table.Td>{a.cycle === c.currentCycleNumber ? a.cycle : `${a.cycle} (previous)`}</Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(a.earnedOn)}</Table.Td>
            <Table.Td>
              <Text size="sm" td={a.removedAt ? 'line-through' : undefined}>
                {a.title}
              </Text>
              {a.notCounted && (
                <Text size="xs" c={a.removedAt ? 'dimmed' : tint('orange')}>
                  {formatDatesIn(a.notCounted)}
                  {a.removedReason ? `: ${a.removedReason}` : ''}
                </Text>
              )}
            </Table.Td>
            <Table.Td>{a.category ?? 'carry-over'}</Table.Td>
            <Table.Td>{a.credits}</Table.Td>
            <Table.Td>{a.source}</Table.Td>
            <Table.Td>{!a.removedAt && <RemoveActivity id={a.id} title={a.title} onDone={onDone} />}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function RemoveActivity({ id, title, onDone }: { id: number; title: string; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const submit = async () => {
    await call(api().credits.removeActivity({ id, reason }));
    onDone();
  };
  return (
    <PopoverForm trigger="Remove" triggerProps={{ color: 'red', variant: 'subtle' }} width={280} submitLabel="Remove activity" onSubmit={submit}>
      {(error) => (
        <Textarea
          label={`Why remove "${title}"?`}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          required
          autosize
          minRows={2}
          error={error}
        />
      )}
    </PopoverForm>
  );
}
