import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import {
  MantineValueEditor,
  MantineValueSelector,
  QueryBuilderMantine,
  type MantineValueEditorProps,
  type MantineValueSelectorProps,
} from '@react-querybuilder/mantine';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { QueryBuilder, type Field, type RuleGroupType, type RuleType, type ValueEditorType } from 'react-querybuilder';
import 'react-querybuilder/dist/query-builder.css';
import { conditionProblem, EMPTY_FILTER, editorOperators, FILTER_FIELDS, filterField, type FilterTree } from '../../../main/filters/fields';
import { STATUSES } from '../../../main/rules/statuses';
import type { ProgramRow } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { CalendarDateInput } from '../shared/CalendarDateInput';
import { useSubmit } from '../shared/useSubmit';

/** What the value editors share with the dialog: each condition's problem, and dates typed that are no dates. */
interface EditorContext {
  problemOf: (rule: RuleType) => string | null;
  setTyped: (key: string, problem: string | null) => void;
}

// Dropdowns and calendars open in a portal: inside the dialog's scrolling body they were clipped (SPEC §6 review).
const PORTAL = { withinPortal: true } as const;

// The builder names its selectors and boxes only by a title: give screen readers the same words as a label.
const LabelledSelector = (props: MantineValueSelectorProps) => <MantineValueSelector comboboxProps={PORTAL} {...props} aria-label={props.title} />;

/** Operators whose value is one calendar date, or two for between. */
const DATE_VALUE_OPERATORS = new Set(['=', '<', '>', 'between']);

/** One typed date of a condition; its own problem (2026-02-30) is on the field and holds Apply. */
function DateValue(props: { label: string; typedKey: string; value: string; onChange: (value: string) => void; error: string | null; context: EditorContext }) {
  const { typedKey, context } = props;
  // A removed condition (or a from/to that is gone) holds nothing back.
  useEffect(() => () => context.setTyped(typedKey, null), [context, typedKey]);
  return (
    <CalendarDateInput
      aria-label={props.label}
      placeholder="YYYY-MM-DD"
      w={190}
      value={props.value === '' ? null : props.value}
      onChange={(date) => props.onChange(date ?? '')}
      onProblem={(problem) => context.setTyped(typedKey, problem)}
      error={props.error}
      popoverProps={PORTAL}
      clearable
    />
  );
}

/** The value box of a condition: dates are typed or picked; any bad value shows on the field as it is typed. */
function LabelledEditor(props: MantineValueEditorProps) {
  const context = props.context as EditorContext;
  const field = filterField(props.field);
  const problem = context.problemOf(props.rule);
  const key = props.rule.id ?? props.path.join('.');
  if (field?.type === 'date' && DATE_VALUE_OPERATORS.has(props.operator)) {
    if (props.operator !== 'between') {
      return (
        <DateValue
          label={props.title ?? field.label}
          typedKey={key}
          value={typeof props.value === 'string' ? props.value : ''}
          onChange={(date) => props.handleOnChange(date)}
          error={problem}
          context={context}
        />
      );
    }
    const pair: string[] = Array.isArray(props.value) ? (props.value as string[]) : typeof props.value === 'string' ? props.value.split(',') : [];
    const setPart = (i: number) => (date: string) => props.handleOnChange(i === 0 ? [date, pair[1] ?? ''] : [pair[0] ?? '', date]);
    return (
      <Group gap="xs" align="flex-start" wrap="nowrap">
        <DateValue label={`${field.label} from`} typedKey={`${key}:from`} value={pair[0] ?? ''} onChange={setPart(0)} error={null} context={context} />
        <Text size="sm" mt={6}>
          and
        </Text>
        <DateValue label={`${field.label} to`} typedKey={`${key}:to`} value={pair[1] ?? ''} onChange={setPart(1)} error={problem} context={context} />
      </Group>
    );
  }
  return <MantineValueEditor {...props} extraProps={{ ...props.extraProps, 'aria-label': props.title, error: problem }} />;
}
const LABELLED = { valueSelector: LabelledSelector, valueEditor: LabelledEditor };

/** Whether a condition's value has been filled in (an empty one holds Apply but is not shown as an error yet). */
function filledIn(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0 && value.every((v) => v !== '' && v !== null && v !== undefined);
  return value !== '' && value !== null && value !== undefined;
}

/** Every condition of the tree, depth first. */
function conditionsOf(group: RuleGroupType): RuleType[] {
  return group.rules.flatMap((r) => ('rules' in r ? conditionsOf(r) : typeof r === 'string' ? [] : [r]));
}

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

/** Turns what one editor holds (strings) into the typed condition main validates. */
function normaliseRule(r: RuleType): { field: string; operator: string; value: unknown } {
  const type = filterField(r.field)?.type;
  let value: unknown = r.value;
  if (r.operator === 'null' || r.operator === 'notNull') value = null;
  else if (type === 'program') value = Array.isArray(value) ? value.map(Number) : value === '' ? value : Number(value);
  else if (type === 'percent' || type === 'credits' || r.operator === 'inLastDays' || r.operator === 'inNextDays') {
    value = Array.isArray(value) ? value.map(Number) : value === '' ? value : Number(value);
  }
  return { field: r.field, operator: r.operator, value };
}

/** Turns what the editors hold (strings) into the typed tree main validates. */
function normalise(group: RuleGroupType): FilterTree {
  const rules = group.rules.map((r) => ('rules' in r ? normalise(r) : normaliseRule(r)));
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
  // Dates typed that are no dates, by condition (and from/to): the value kept is the last good one, so they hold Apply.
  const [typed, setTypedState] = useState<Record<string, string>>({});
  const setTyped = useCallback(
    (key: string, problem: string | null) =>
      setTypedState((now) => {
        if ((now[key] ?? null) === problem) return now;
        const next = { ...now };
        if (problem === null) delete next[key];
        else next[key] = problem;
        return next;
      }),
    [],
  );
  const problems = useMemo(() => new Map(conditionsOf(query).map((r) => [r, conditionProblem(normaliseRule(r))] as const)), [query]);
  const context = useMemo<EditorContext>(
    () => ({ problemOf: (rule) => (filledIn(rule.value) ? (problems.get(rule) ?? null) : null), setTyped }),
    [problems, setTyped],
  );
  const firstProblem = Object.values(typed)[0] ?? [...problems.values()].find((p) => p !== null) ?? null;
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
              context={context}
              translations={{ addRule: { label: '+ Condition', title: 'Add a condition' }, addGroup: { label: '+ Group', title: 'Add a group' } }}
            />
          </QueryBuilderMantine>
        </div>
        <Group justify="space-between">
          <Group gap="xs">
            <TextInput placeholder="Name this filter to save it" value={name} onChange={(e) => setName(e.currentTarget.value)} w={280} />
            <Button variant="default" disabled={name.trim() === '' || firstProblem !== null} loading={busy} onClick={() => void save()}>
              Save and apply
            </Button>
          </Group>
          <Group gap="xs">
            {firstProblem && (
              <Text size="sm" c="dimmed" maw={420} data-testid="filter-problem">
                Apply waits for every condition: {firstProblem}
              </Text>
            )}
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
              disabled={firstProblem !== null}
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
