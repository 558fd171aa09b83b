import { ActionIcon, Alert, Button, Checkbox, Divider, Group, Modal, NumberInput, Select, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { schemaResolver, useForm } from '@mantine/form';
import { useState } from 'react';
import type { z } from 'zod';
import { programSchema } from '../../../main/domain/program';
import type { ProgramChangeEffect, ProgramWithComponents } from '../../../main/ipc/contract';
import { api, call, messageOf } from '../api';
import { showCallError } from '../shared/forms';
import { useSubmit } from '../shared/useSubmit';
import { expirationOf } from '../../../main/domain/program';
import { ReminderScheduleEditor } from './ReminderScheduleEditor';
import { RenewalRequirementEditor } from './RenewalRequirementEditor';

type ProgramForm = z.input<typeof programSchema>;

function initial(p: ProgramWithComponents | null): ProgramForm {
  if (!p)
    return {
      code: '',
      name: '',
      version: '1',
      category: '',
      description: '',
      requireApproval: false,
      requireCompletionApproval: false,
      expiration: { kind: 'never' },
      components: [],
    };
  const expiration = expirationOf(p);
  return {
    code: p.code,
    name: p.name,
    version: p.version,
    category: p.category,
    description: p.description,
    requireApproval: p.require_approval === 1,
    requireCompletionApproval: p.require_completion_approval === 1,
    expiration,
    components: p.components.map((c) => ({ id: c.id, name: c.name, kind: c.kind, credits: c.credits, creditUnit: c.credit_unit, required: c.required === 1 })),
  };
}

/**
 * Create or edit a certification program. Saving an edit that affects existing
 * records first shows the effect and asks: apply to existing records, or only to new ones.
 */
export function ProgramEditor({ program, onClose, onSaved }: { program: ProgramWithComponents | null; onClose: () => void; onSaved: () => void }) {
  const form = useForm<ProgramForm>({ mode: 'controlled', initialValues: initial(program), validate: schemaResolver(programSchema, { sync: true }) });
  const [effect, setEffect] = useState<ProgramChangeEffect | null>(null);
  const values = form.getValues();
  const {
    submit: run,
    busy,
    error,
  } = useSubmit(
    (work: () => Promise<void>) => work(),
    (err) => showCallError(form, err) ?? messageOf(err),
  );
  const submit = form.onSubmit((v) =>
    run(async () => {
      const parsed = programSchema.parse(v);
      if (!program) {
        await call(api().programs.create(parsed));
        onSaved();
        return;
      }
      const e = await call(api().programs.previewEdit({ id: program.id, program: parsed }));
      if (e.expirationRecomputed + e.progressRecounted > 0) setEffect(e);
      else {
        await call(api().programs.update({ id: program.id, program: parsed, applyToExisting: false }));
        onSaved();
      }
    }),
  );
  const apply = (applyToExisting: boolean) =>
    run(async () => {
      if (!program) return;
      await call(api().programs.update({ id: program.id, program: programSchema.parse(form.getValues()), applyToExisting }));
      setEffect(null);
      onSaved();
    });
  const moveComponent = (from: number, to: number) => form.reorderListItem('components', { from, to });

  return (
    <Modal opened onClose={onClose} title={program ? `Edit ${program.name}` : 'New certification program'} size="xl" centered>
      <form id="program-editor-form" onSubmit={submit}>
        <Stack gap="sm">
          {error && <Alert color="red">{error}</Alert>}
          <Group grow align="flex-start">
            <TextInput label="Name" withAsterisk {...form.getInputProps('name')} />
            <TextInput label="Code" withAsterisk {...form.getInputProps('code')} />
          </Group>
          <Group grow align="flex-start">
            <TextInput label="Version" {...form.getInputProps('version')} />
            <TextInput label="Category" {...form.getInputProps('category')} />
          </Group>
          <Textarea label="Description" autosize minRows={2} {...form.getInputProps('description')} />
          <Checkbox label="Require Approval (applications wait in Applied until approved)" {...form.getInputProps('requireApproval', { type: 'checkbox' })} />
          <Checkbox
            label="Require admin approval for completion (completed records go to Admin Review)"
            {...form.getInputProps('requireCompletionApproval', { type: 'checkbox' })}
          />
          <Group align="flex-end">
            <Select
              label="Expiration"
              data={[
                { value: 'never', label: 'Never expires' },
                { value: 'period', label: 'A period after completion' },
                { value: 'fixed', label: 'A fixed date' },
              ]}
              value={values.expiration.kind}
              onChange={(k) =>
                form.setFieldValue(
                  'expiration',
                  k === 'period' ? { kind: 'period', amount: 1, unit: 'years' } : k === 'fixed' ? { kind: 'fixed', date: '' } : { kind: 'never' },
                )
              }
              comboboxProps={{ withinPortal: true }}
              w={240}
            />
            {values.expiration.kind === 'period' && (
              <>
                <NumberInput label="Amount" min={1} max={1200} allowDecimal={false} w={100} {...form.getInputProps('expiration.amount')} />
                <Select
                  label="Unit"
                  data={['days', 'months', 'years']}
                  w={120}
                  {...form.getInputProps('expiration.unit')}
                  comboboxProps={{ withinPortal: true }}
                />
              </>
            )}
            {values.expiration.kind === 'fixed' && <DateInput label="Date" valueFormat="D MMM YYYY" w={180} {...form.getInputProps('expiration.date')} />}
          </Group>
          <Divider label="Components" labelPosition="left" />
          {form.errors['components'] && (
            <Text c="red" size="sm">
              {form.errors['components']}
            </Text>
          )}
          <Table verticalSpacing={4}>
            <Table.Tbody>
              {values.components.map((c, i) => (
                <Table.Tr key={c.id ?? `new-${i}`}>
                  <Table.Td>
                    <TextInput size="xs" placeholder="Component name" aria-label={`Component ${i + 1} name`} {...form.getInputProps(`components.${i}.name`)} />
                  </Table.Td>
                  <Table.Td w={110}>
                    <Select
                      size="xs"
                      data={['course', 'exam', 'task', 'document']}
                      aria-label="Kind"
                      {...form.getInputProps(`components.${i}.kind`)}
                      comboboxProps={{ withinPortal: true }}
                    />
                  </Table.Td>
                  <Table.Td w={90}>
                    <NumberInput size="xs" min={0} aria-label="Credits" {...form.getInputProps(`components.${i}.credits`)} />
                  </Table.Td>
                  <Table.Td w={100}>
                    <Select
                      size="xs"
                      data={['credits', 'hours']}
                      aria-label="Unit"
                      {...form.getInputProps(`components.${i}.creditUnit`)}
                      comboboxProps={{ withinPortal: true }}
                    />
                  </Table.Td>
                  <Table.Td w={100}>
                    <Checkbox size="xs" label="Required" {...form.getInputProps(`components.${i}.required`, { type: 'checkbox' })} />
                  </Table.Td>
                  <Table.Td w={100}>
                    <Group gap={2} wrap="nowrap">
                      <ActionIcon size="sm" variant="subtle" aria-label="Move up" disabled={i === 0} onClick={() => moveComponent(i, i - 1)}>
                        ↑
                      </ActionIcon>
                      <ActionIcon
                        size="sm"
                        variant="subtle"
                        aria-label="Move down"
                        disabled={i === values.components.length - 1}
                        onClick={() => moveComponent(i, i + 1)}
                      >
                        ↓
                      </ActionIcon>
                      <ActionIcon
                        size="sm"
                        variant="subtle"
                        color="red"
                        aria-label={`Remove component ${i + 1}`}
                        onClick={() => form.removeListItem('components', i)}
                      >
                        ×
                      </ActionIcon>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group>
            <Button
              size="xs"
              variant="light"
              onClick={() => form.insertListItem('components', { name: '', kind: 'course', credits: 0, creditUnit: 'credits', required: true })}
            >
              + Component
            </Button>
          </Group>
          <ReminderScheduleEditor programId={program?.id ?? null} />
        </Stack>
      </form>
      {program && <RenewalRequirementEditor program={program} />}
      {/* The dialog's own buttons come last, below the sections saved on their own; submit reaches the form by its id. */}
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={onClose}>
          Close without saving
        </Button>
        <Button type="submit" form="program-editor-form" loading={busy}>
          {program ? 'Save changes' : 'Create certification'}
        </Button>
      </Group>
      <Modal opened={effect !== null} onClose={() => setEffect(null)} title="This change affects existing records" centered size="lg">
        {effect && (
          <Stack data-testid="program-effect">
            <Text size="sm">{effect.changes.join('; ')}</Text>
            <Text size="sm">
              Applied to existing records: {effect.expirationRecomputed} expiration dates recomputed, {effect.progressRecounted} records' progress recounted
              {Object.keys(effect.statusMoves).length
                ? `, status changes: ${Object.entries(effect.statusMoves)
                    .map(([k, v]) => `${v} ${k}`)
                    .join(', ')}`
                : ''}
              . Each record's history will say so.
            </Text>
            <Text size="xs" c="dimmed">
              “Only new records” keeps existing expiration dates; component changes still count for records being worked on.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => void apply(false)} loading={busy}>
                Only new records
              </Button>
              <Button onClick={() => void apply(true)} loading={busy}>
                Apply to existing records
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Modal>
  );
}
