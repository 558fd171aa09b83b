import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import {
  MantineValueEditor,
  MantineValueSelector,
  QueryBuilderMantine,
  type MantineValueEditorProps,
  type MantineValueSelectorProps,
} from '@react-querybuilder/mantine';
import { useMemo, useState } from 'react';
import { QueryBuilder, type Field, type RuleGroupType, type ValueEditorType } from 'react-querybuilder';
import 'react-querybuilder/dist/query-builder.css';
import { EMPTY_FILTER, editorOperators, FILTER_FIELDS, type FilterTree } from '../../../main/filters/fields';
import { STATUSES } from '../../../main/rules/statuses';
import type { ProgramRow } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { useSubmit } from '../shared/useSubmit';

// The builder names its selectors and boxes only by a title: give screen readers the same words as a label.
const LabelledSelector = (props: MantineValueSelectorProps) => <MantineValueSelector {...props} aria-label={props.title} />;
const LabelledEditor = (props: MantineValueEditorProps) => <MantineValueEditor {...props} extraProps={{ ...props.extraProps, 'aria-label': props.title }} />;
const LABELLED = { valueSelector: LabelledSelector, valueEditor: LabelledEditor };

function editorType(type: string, operator: string): ValueEditorType {
  if (type === 'status' || type === 'program') return operator === 'in' || operator === 'notIn' ? 'multiselect' : 'select';
  if (type === 'yesNo') return 'select';
  return 'text';
}

/** Dates get a date picker, day counts and percentages a number box. */
function inputType(fieldName: string, operator: string): string {
  const type = FILTER_FIELDS.find((f) => f.name === fieldName)?.type;
  if (type === 'date') return operator === 'inLastDays' || operator === 'inNextDays' ? 'number' : 'date';
  return type === 'percent' || type === 'credits' ? 'number' : 'text';
}

/** react-querybuilder fields from main's allow-list, so the builder offers only what main accepts. */
function useFields(programs: ProgramRow[]): Field[] {
  return useMemo(
    () =>
      FILTER_FIELDS.map((f) => ({
        name: f.name,
        label: f.label,
        operators: editorOperators(f),
        valueEditorType: (op: string) => editorType(f.type, op),
        values:
          f.type === 'status'
            ? STATUSES.map((s) => ({ name: s, value: s, label: s }))
            : f.type === 'program'
              ? programs.map((p) => ({ name: String(p.id), value: String(p.id), label: p.name }))
              : undefined,
      })),
    [programs],
  );
}

/** Turns what the editors hold (strings) into the typed tree main validates. */
function normalise(group: RuleGroupType): FilterTree {
  const fieldType = (name: string) => FILTER_FIELDS.find((f) => f.name === name)?.type;
  const rules = group.rules.map((r) => {
    if ('rules' in r) return normalise(r);
    const type = fieldType(r.field);
    let value: unknown = r.value;
    if (r.operator === 'null' || r.operator === 'notNull') value = null;
    else if (type === 'program') value = Array.isArray(value) ? value.map(Number) : Number(value);
    else if (type === 'percent' || type === 'credits' || r.operator === 'inLastDays' || r.operator === 'inNextDays') {
      value = Array.isArray(value) ? value.map(Number) : value === '' ? value : Number(value);
    }
    return { field: r.field, operator: r.operator, value };
  });
  return { combinator: group.combinator === 'or' ? 'or' : 'and', not: group.not ?? false, rules } as FilterTree;
}

export function FilterBuilder(props: {
  opened: boolean;
  initial: FilterTree | null;
  programs: ProgramRow[];
  onApply: (tree: FilterTree | null) => void;
  onSaved: () => void;
  onClose: () => void;
}) {
  const fields = useFields(props.programs);
  const [query, setQuery] = useState<RuleGroupType>((props.initial as RuleGroupType | null) ?? (EMPTY_FILTER as RuleGroupType));
  const [name, setName] = useState('');
  const {
    submit: save,
    busy,
    error,
  } = useSubmit(async () => {
    const tree = normalise(query);
    await call(api().filters.save({ name, tree }));
    props.onApply(tree);
    props.onSaved();
    props.onClose();
  });

  return (
    <Modal opened={props.opened} onClose={props.onClose} title="Customize Filter" size="90rem" centered>
      <Stack>
        <Text size="sm" c="dimmed">
          Add conditions over the record's fields and join them with AND / OR in groups. The filter combines with the Quick Filter.
        </Text>
        {error && <Alert color="red">{error}</Alert>}
        <div data-testid="filter-builder">
          <QueryBuilderMantine>
            <QueryBuilder
              fields={fields}
              query={query}
              onQueryChange={setQuery}
              listsAsArrays
              getInputType={inputType}
              addRuleToNewGroups
              showNotToggle
              controlClassnames={{ queryBuilder: 'queryBuilder-branches' }}
              controlElements={LABELLED}
              translations={{ addRule: { label: '+ Condition', title: 'Add a condition' }, addGroup: { label: '+ Group', title: 'Add a group' } }}
            />
          </QueryBuilderMantine>
        </div>
        <Group justify="space-between">
          <Group gap="xs">
            <TextInput placeholder="Name this filter to save it" value={name} onChange={(e) => setName(e.currentTarget.value)} w={280} />
            <Button variant="default" disabled={name.trim() === ''} loading={busy} onClick={() => void save()}>
              Save and apply
            </Button>
          </Group>
          <Group gap="xs">
            <Button
              variant="subtle"
              onClick={() => {
                props.onApply(null);
                props.onClose();
              }}
            >
              Clear filter
            </Button>
            <Button
              onClick={() => {
                props.onApply(normalise(query));
                props.onClose();
              }}
            >
              Apply
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}
