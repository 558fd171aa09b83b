import { ActionIcon, Alert, Button, Checkbox, Divider, Group, NumberInput, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { describeRequirement, requirementOf, type RenewalRequirementInput } from '../../../main/domain/renewal';
import type { ProgramRow } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { useLoad } from '../shared/useLoad';
import { useSubmit } from '../shared/useSubmit';
import { tint } from '../theme';

type Minimum = { category: string | null; credits: number | string };

const asNumber = (v: number | string): number => (typeof v === 'number' ? v : v.trim() === '' ? Number.NaN : Number(v));

/**
 * A program's renewal requirement, separate from its initial components: total CE credits per cycle,
 * minimums per category (from the category list in Settings), an optional carry-over cap, and whether
 * a renewal waits in Admin Review. Saved on its own (programs.setRenewal); records follow at once.
 */
export function RenewalRequirementEditor({ program }: { program: ProgramRow }) {
  const saved = requirementOf(program);
  const categories = useLoad(() => call(api().credits.categories({})), []);
  const [enabled, setEnabled] = useState(saved !== null);
  const [credits, setCredits] = useState<number | string>(saved?.credits ?? 40);
  const [minimums, setMinimums] = useState<Minimum[]>(saved?.minimums.map((m) => ({ ...m })) ?? []);
  const [cap, setCap] = useState<number | string>(saved?.carryOverCap ?? '');
  const [review, setReview] = useState(saved?.review ?? false);
  const [done, setDone] = useState<string | null>(null);
  const { submit, busy, error } = useSubmit(async () => {
    setDone(null);
    const requirement: RenewalRequirementInput | null = enabled
      ? {
          credits: asNumber(credits),
          minimums: minimums.map((m) => ({ category: m.category ?? '', credits: asNumber(m.credits) })),
          carryOverCap: cap === '' ? null : asNumber(cap),
          review,
        }
      : null;
    const updated = await call(api().programs.setRenewal({ programId: program.id, requirement }));
    setDone(`Saved: ${describeRequirement(requirementOf(updated))}.`);
  });
  const names = (categories.data ?? []).map((c) => c.name);
  const setMinimum = (i: number, patch: Partial<Minimum>) => setMinimums((list) => list.map((m, k) => (k === i ? { ...m, ...patch } : m)));
  return (
    <Stack gap="xs" mt="md" data-testid="renewal-requirement">
      <Divider label="Renewal requirement: CE credits (saved on its own)" labelPosition="left" />
      <Checkbox
        label="Renewal needs continuing-education credits earned within each cycle"
        checked={enabled}
        onChange={(e) => setEnabled(e.currentTarget.checked)}
      />
      {enabled && (
        <>
          <Group align="flex-end">
            <NumberInput label="Total credits per cycle" value={credits} onChange={setCredits} min={0.01} max={10000} decimalScale={2} w={200} />
            <NumberInput
              label="Carry-over cap"
              description="Excess credits moved into the next cycle; empty: none"
              value={cap}
              onChange={setCap}
              min={0}
              max={10000}
              decimalScale={2}
              w={340}
            />
          </Group>
          <Text size="sm" fw={500}>
            Minimums per category
          </Text>
          {names.length === 0 && (
            <Text size="xs" c="dimmed">
              No credit categories yet: add them under Settings › Credit categories.
            </Text>
          )}
          {minimums.map((m, i) => (
            <Group key={i} align="flex-end">
              <Select
                label="Category"
                aria-label={`Category of minimum ${i + 1}`}
                data={names}
                value={m.category}
                onChange={(v) => setMinimum(i, { category: v })}
                allowDeselect={false}
                w={220}
              />
              <NumberInput
                label="At least"
                aria-label={`Credits of minimum ${i + 1}`}
                value={m.credits}
                onChange={(v) => setMinimum(i, { credits: v })}
                min={0.01}
                max={10000}
                decimalScale={2}
                w={140}
              />
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={`Remove minimum ${i + 1}`}
                onClick={() => setMinimums((list) => list.filter((_, k) => k !== i))}
              >
                ×
              </ActionIcon>
            </Group>
          ))}
          <Group>
            <Button size="xs" variant="light" disabled={names.length === 0} onClick={() => setMinimums((list) => [...list, { category: null, credits: '' }])}>
              + Category minimum
            </Button>
          </Group>
          <Checkbox
            label="A met requirement renews into Admin Review (otherwise Active)"
            checked={review}
            onChange={(e) => setReview(e.currentTarget.checked)}
          />
          <Text size="xs" c="dimmed">
            Credits still needed = the larger of the total still missing and the sum of unmet category minimums. Renewal starts the next cycle from the previous
            expiration date.
          </Text>
        </>
      )}
      {error && <Alert color="red">{error}</Alert>}
      {done && (
        <Text size="sm" c={tint('green')} role="status">
          {done}
        </Text>
      )}
      <Group justify="flex-end">
        <Button size="xs" loading={busy} onClick={() => void submit()}>
          Save renewal requirement
        </Button>
      </Group>
    </Stack>
  );
}
