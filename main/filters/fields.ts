/**
 * The Customize Filter's vocabulary: which fields a filter may test, which
 * operators apply to each, and the checks every filter tree must pass before
 * main builds a query from it (filter-schema.ts wraps them in the zod schema).
 * Pure (the rules only, no zod, so the renderer's first script stays light):
 * the renderer imports it to build the editor, main to check what the renderer sent.
 *
 * The tree arrives over IPC and is treated as hostile (ECOSYSTEM.md, "The
 * filter builder is not a security boundary"): only allow-listed fields and
 * operators pass, each value must have its operator's type and size, field
 * comparisons (`valueSource: 'field'`) are refused, unknown properties are
 * refused, and the tree is at most 6 groups deep with at most 200 entries.
 *
 * The parsed tree is canonical: values are trimmed and typed (numbers as
 * numbers, lists as arrays), so it can be saved as JSON and read back as is.
 * Parsing also accepts the shapes react-querybuilder produces by default:
 * numbers typed as text ("30"), lists and ranges as comma-separated text
 * ("1,2" or "2026-01-01,2026-03-31"), and a leftover value on "is empty".
 */
import { calendarDateProblem, isCalendarDate } from '../rules/calendar';
import { textRuleProblem } from '../domain/text';
import { STATUSES, isStatus } from '../rules/statuses';

export const OPERATORS_BY_TYPE = {
  text: ['contains', 'doesNotContain', 'beginsWith', 'endsWith', '=', '!=', 'null', 'notNull'],
  status: ['=', '!=', 'in', 'notIn'],
  program: ['=', '!=', 'in', 'notIn'],
  date: ['=', '<', '>', 'between', 'inLastDays', 'inNextDays', 'null', 'notNull'],
  percent: ['=', '!=', '<', '<=', '>', '>=', 'between'],
  credits: ['=', '!=', '<', '<=', '>', '>=', 'between', 'null', 'notNull'],
  yesNo: ['='],
} as const;

export type FilterFieldType = keyof typeof OPERATORS_BY_TYPE;
export type OperatorOf<T extends FilterFieldType> = (typeof OPERATORS_BY_TYPE)[T][number];
export type FilterOperator = OperatorOf<FilterFieldType>;

function defineField<const N extends string, const T extends FilterFieldType>(name: N, label: string, type: T) {
  return { name, label, type, operators: OPERATORS_BY_TYPE[type] as readonly OperatorOf<T>[] };
}

/** The allow-list, in the order the editor offers them. */
export const FILTER_FIELDS = [
  defineField('contactName', 'Contact name', 'text'),
  defineField('email', 'Email', 'text'),
  defineField('memberNumber', 'Member number', 'text'),
  defineField('organization', 'Organization', 'text'),
  // Value: a program id, or a list of them for in / notIn.
  defineField('certification', 'Certification', 'program'),
  // Value: one of the ten status names, word for word.
  defineField('status', 'Status', 'status'),
  defineField('appliedOn', 'Applied', 'date'),
  defineField('startedOn', 'Started', 'date'),
  defineField('completedOn', 'Completed', 'date'),
  defineField('expiresOn', 'Expires', 'date'),
  // Percent of the required components done; 0 when the program requires none.
  defineField('progress', 'Progress %', 'percent'),
  // The date part of records.updated_at (a UTC timestamp).
  defineField('updatedAt', 'Last change', 'date'),
  // Renewal credits still needed in the current cycle; empty when the certification has no renewal requirement.
  defineField('creditsNeeded', 'Credits needed', 'credits'),
  // 'yes' / 'no': the credits that count meet the requirement pro rata for the cycle elapsed (neither without a requirement).
  defineField('onTrack', 'On track', 'yesNo'),
] as const;

export type FilterField = (typeof FILTER_FIELDS)[number];
export type FilterFieldName = FilterField['name'];

const FIELDS_BY_NAME: ReadonlyMap<string, FilterField> = new Map(FILTER_FIELDS.map((f) => [f.name, f]));

/** The field named `name`, or undefined for anything not on the allow-list. */
export function filterField(name: unknown): FilterField | undefined {
  return typeof name === 'string' ? FIELDS_BY_NAME.get(name) : undefined;
}

/** One human label per operator (dates read "is before", "in the next N days"). */
export const OPERATOR_LABELS: Readonly<Record<FilterOperator, string>> = {
  contains: 'contains',
  doesNotContain: 'does not contain',
  beginsWith: 'begins with',
  endsWith: 'ends with',
  '=': 'is',
  '!=': 'is not',
  '<': 'is before',
  '<=': 'is at most',
  '>': 'is after',
  '>=': 'is at least',
  in: 'is one of',
  notIn: 'is not one of',
  between: 'is between',
  inLastDays: 'in the last N days',
  inNextDays: 'in the next N days',
  null: 'is empty',
  notNull: 'is not empty',
};

/** Where a field type reads better with its own words (progress is "less than", not "before"). */
const TYPE_LABELS: Partial<Record<FilterFieldType, Partial<Record<FilterOperator, string>>>> = {
  date: { '=': 'is on' },
  percent: { '<': 'is less than', '>': 'is more than' },
  credits: { '<': 'is less than', '>': 'is more than' },
};

/** The label of `operator` on a field of `type`: "is before" on a date, "is less than" on progress. */
export function operatorLabel(type: FilterFieldType, operator: string): string {
  const specific: Readonly<Record<string, string>> = TYPE_LABELS[type] ?? {};
  const general: Readonly<Record<string, string>> = OPERATOR_LABELS;
  if (Object.hasOwn(specific, operator)) return specific[operator] ?? operator;
  return Object.hasOwn(general, operator) ? (general[operator] ?? operator) : operator;
}

/** Operators for a react-querybuilder field definition: `{ name, label }`. */
export function editorOperators(field: FilterField): Array<{ name: string; label: string }> {
  return field.operators.map((name) => ({ name, label: operatorLabel(field.type, name) }));
}

// ---------------------------------------------------------------------------
// The tree

export const FILTER_LIMITS = {
  /** Groups nest at most this deep, the whole filter counting as the first. */
  depth: 6,
  /** Conditions and groups in the whole tree, the whole filter not counted. */
  entries: 200,
  textLength: 200,
  listItems: 50,
  maxDays: 3650,
} as const;

export type RuleValue = string | number | string[] | number[];

/** A condition as parsed: field and operator from the allow-list, value canonical for both. */
export interface FilterRule {
  id?: string;
  field: FilterFieldName;
  operator: FilterOperator;
  /**
   * text: the trimmed text ('' for null / notNull); status: a name, or names for in / notIn;
   * certification: a program id, or ids; date: 'YYYY-MM-DD', [from, to] for between, N days for
   * inLastDays / inNextDays, '' for null / notNull; progress: 0..100, [low, high] for between;
   * credits needed: a number of credits, [low, high] for between, '' for null / notNull; on track: 'yes' or 'no'.
   */
  value: RuleValue;
}

export interface FilterGroup {
  id?: string;
  combinator: 'and' | 'or';
  not?: boolean;
  rules: Array<FilterRule | FilterGroup>;
}

/** What the renderer sends (react-querybuilder's RuleGroupType, without its extras). */
export interface FilterRuleInput {
  id?: string;
  field: string;
  operator: string;
  value?: unknown;
  valueSource?: 'value';
}

export interface FilterGroupInput {
  id?: string;
  combinator: string;
  not?: boolean;
  rules: Array<FilterRuleInput | FilterGroupInput>;
}

export type FilterTree = FilterGroup;

export const EMPTY_FILTER: FilterTree = { combinator: 'and', rules: [] };

export function isFilterGroup(node: FilterRule | FilterGroup): node is FilterGroup {
  return 'rules' in node;
}

/** A hostile value quoted for a message: short, and never the whole megabyte. */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function looksLikeGroup(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && (Object.hasOwn(value, 'rules') || Object.hasOwn(value, 'combinator'));
}

/**
 * Depth and size, checked without recursion before anything else reads the
 * tree, so a 50-deep or 10,000-wide tree is refused at once.
 */
export function structureProblem(root: unknown): string | null {
  if (!isRecord(root)) return 'A filter must be a group of conditions: { combinator, rules }.';
  const stack: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 1 }];
  let entries = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (!isRecord(item.node) || !Object.hasOwn(item.node, 'rules')) continue;
    const rules = item.node.rules;
    if (!Array.isArray(rules)) continue;
    entries += rules.length;
    if (entries > FILTER_LIMITS.entries) return `A filter can have at most ${FILTER_LIMITS.entries} conditions and groups.`;
    for (const child of rules as unknown[]) {
      if (!looksLikeGroup(child)) continue;
      if (item.depth + 1 > FILTER_LIMITS.depth) return `Groups can be nested at most ${FILTER_LIMITS.depth} deep.`;
      stack.push({ node: child, depth: item.depth + 1 });
    }
  }
  return null;
}

type Checked<T> = { ok: true; value: T } | { ok: false; message: string; path?: string };

const good = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = (message: string, path = 'value'): Checked<never> => ({ ok: false, message, path });

function checkText(label: string, value: unknown): Checked<string> {
  if (typeof value !== 'string') return bad(`${label} needs text to compare with.`);
  if (value.length > FILTER_LIMITS.textLength) return bad(`The text for ${label} can be at most ${FILTER_LIMITS.textLength} characters.`);
  // SQLite's LIKE stops reading a pattern at NUL, so "contains a NUL" would match every row.
  const control = textRuleProblem(`The text for ${label}`, value, 'single');
  if (control !== null) return bad(control);
  // Half an emoji (a lone UTF-16 surrogate) reaches SQLite as U+FFFD: JavaScript and SQL would disagree.
  if (/[\ud800-\udfff]/u.test(value)) return bad(`The text for ${label} is not valid Unicode.`);
  const trimmed = value.trim();
  if (trimmed === '') return bad(`Enter the text ${label} should be compared with.`);
  return good(trimmed);
}

/** A list as an array, or as react-querybuilder's comma-separated text. */
function asList(label: string, value: unknown): Checked<unknown[]> {
  if (typeof value === 'string') {
    if (value.length > 2000) return bad(`Too many values for ${label}.`);
    const items = value.split(',').map((s) => s.trim());
    return good(items.length === 1 && items[0] === '' ? [] : items);
  }
  if (Array.isArray(value)) return good(value as unknown[]);
  return bad(`${label} needs a list of values.`);
}

function checkList<T>(label: string, value: unknown, item: (v: unknown) => Checked<T>): Checked<T[]> {
  const list = asList(label, value);
  if (!list.ok) return list;
  if (list.value.length === 0) return bad(`Choose at least one value for ${label}.`);
  if (list.value.length > FILTER_LIMITS.listItems) return bad(`Choose at most ${FILTER_LIMITS.listItems} values for ${label}.`);
  const out: T[] = [];
  for (const v of list.value) {
    const checked = item(v);
    if (!checked.ok) return checked;
    out.push(checked.value);
  }
  return good(out);
}

function checkPair<T>(label: string, value: unknown, item: (v: unknown) => Checked<T>, order: (a: T, b: T) => boolean): Checked<[T, T]> {
  const list = asList(label, value);
  if (!list.ok) return list;
  if (list.value.length !== 2) return bad(`${label} "is between" needs two values: from and to.`);
  const from = item(list.value[0]);
  if (!from.ok) return from;
  const to = item(list.value[1]);
  if (!to.ok) return to;
  if (!order(from.value, to.value)) return bad(`The range for ${label} ends before it starts.`);
  return good([from.value, to.value]);
}

/** A number, or a number typed as text (react-querybuilder's inputs give text). */
function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^\s*\d{1,16}(\.\d{1,16})?\s*$/.test(value)) return Number(value);
  return null;
}

const checkStatus =
  (label: string) =>
  (value: unknown): Checked<string> =>
    isStatus(value) ? good(value) : bad(`${label} must be one of: ${STATUSES.join(', ')} (not ${shown(value)}).`);

const checkProgramId =
  (label: string) =>
  (value: unknown): Checked<number> => {
    const n = asNumber(value);
    return n !== null && Number.isInteger(n) && n >= 1 && n <= 2 ** 40 ? good(n) : bad(`${label} must be a certification id (not ${shown(value)}).`);
  };

const checkDate =
  (label: string) =>
  (value: unknown): Checked<string> => {
    const text = typeof value === 'string' ? value.trim() : value;
    if (isCalendarDate(text)) return good(text);
    // 2026-02-30 has the shape of a date: say which day does not exist.
    if (typeof text === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(text)) return bad(`${label}: ${calendarDateProblem(text) ?? ''}`);
    return bad(`${label} needs a date as YYYY-MM-DD (not ${shown(value)}).`);
  };

const checkPercent =
  (label: string) =>
  (value: unknown): Checked<number> => {
    const n = asNumber(value);
    return n !== null && n >= 0 && n <= 100 ? good(n) : bad(`${label} needs a number from 0 to 100 (not ${shown(value)}).`);
  };

const checkCredits =
  (label: string) =>
  (value: unknown): Checked<number> => {
    const n = asNumber(value);
    return n !== null && n >= 0 && n <= 100_000 ? good(n) : bad(`${label} needs a number of credits from 0 to 100000 (not ${shown(value)}).`);
  };

function checkYesNo(label: string, value: unknown): Checked<string> {
  const v = value === true ? 'yes' : value === false ? 'no' : typeof value === 'string' ? value.trim().toLowerCase() : value;
  return v === 'yes' || v === 'no' ? good(v) : bad(`${label} must be yes or no (not ${shown(value)}).`);
}

function checkDays(value: unknown): Checked<number> {
  const n = asNumber(value);
  return n !== null && Number.isInteger(n) && n >= 0 && n <= FILTER_LIMITS.maxDays
    ? good(n)
    : bad(`The number of days must be a whole number from 0 to ${FILTER_LIMITS.maxDays} (not ${shown(value)}).`);
}

/** "Is empty" ignores its value; react-querybuilder may leave the previous one there. Anything small passes. */
function checkIgnoredValue(label: string, value: unknown): Checked<string> {
  const small = (v: unknown): boolean =>
    v === undefined ||
    v === null ||
    typeof v === 'boolean' ||
    (typeof v === 'number' && Number.isFinite(v)) ||
    (typeof v === 'string' && v.length <= FILTER_LIMITS.textLength);
  const ok = small(value) || (Array.isArray(value) && value.length <= FILTER_LIMITS.listItems && (value as unknown[]).every(small));
  return ok ? good('') : bad(`${label} "is empty" takes no value.`);
}

function checkValue(field: FilterField, operator: string, value: unknown): Checked<RuleValue> {
  const label = field.label;
  switch (field.type) {
    case 'text':
      return operator === 'null' || operator === 'notNull' ? checkIgnoredValue(label, value) : checkText(label, value);
    case 'status':
      return operator === 'in' || operator === 'notIn' ? checkList(label, value, checkStatus(label)) : checkStatus(label)(value);
    case 'program':
      return operator === 'in' || operator === 'notIn' ? checkList(label, value, checkProgramId(label)) : checkProgramId(label)(value);
    case 'date':
      if (operator === 'null' || operator === 'notNull') return checkIgnoredValue(label, value);
      if (operator === 'inLastDays' || operator === 'inNextDays') return checkDays(value);
      if (operator === 'between') return checkPair(label, value, checkDate(label), (a, b) => a <= b);
      return checkDate(label)(value);
    case 'percent':
      if (operator === 'between') return checkPair(label, value, checkPercent(label), (a, b) => a <= b);
      return checkPercent(label)(value);
    case 'credits':
      if (operator === 'null' || operator === 'notNull') return checkIgnoredValue(label, value);
      if (operator === 'between') return checkPair(label, value, checkCredits(label), (a, b) => a <= b);
      return checkCredits(label)(value);
    case 'yesNo':
      return checkYesNo(label, value);
  }
}

export function checkRule(raw: Record<string, unknown>): Checked<FilterRule> {
  const field = filterField(raw.field);
  if (!field) {
    return typeof raw.field === 'string' ? bad(`Unknown field: ${shown(raw.field)}`, 'field') : bad('A condition needs a field name.', 'field');
  }
  if (typeof raw.operator !== 'string') return bad(`A condition on ${field.label} needs an operator.`, 'operator');
  const operator = raw.operator;
  if (!(field.operators as readonly string[]).includes(operator)) {
    const known = Object.values(OPERATORS_BY_TYPE).some((ops) => (ops as readonly string[]).includes(operator));
    return known ? bad(`Operator '${shown(operator)}' does not apply to ${field.label}`, 'operator') : bad(`Unknown operator: ${shown(operator)}`, 'operator');
  }
  if (raw.valueSource !== undefined && raw.valueSource !== 'value') {
    return raw.valueSource === 'field'
      ? bad(`${field.label} can only be compared with a value, not with another field.`, 'valueSource')
      : bad(`Unknown value source: ${shown(raw.valueSource)}`, 'valueSource');
  }
  const value = checkValue(field, operator, raw.value);
  if (!value.ok) return value;
  const rule: FilterRule = { field: field.name, operator: operator as FilterOperator, value: value.value };
  if (typeof raw.id === 'string') rule.id = raw.id;
  return good(rule);
}

/**
 * Why one condition cannot be used as it stands, in the words main would refuse it with, or null.
 * The editor shows it on the field as it is typed and holds Apply until there is none.
 */
export function conditionProblem(rule: FilterRuleInput): string | null {
  const checked = checkRule({ ...rule });
  return checked.ok ? null : checked.message;
}

// ---------------------------------------------------------------------------
// In words

export interface DescribeOptions {
  /** The certification's name for an id; "#id" when unknown. */
  programName?: (id: number) => string | undefined;
}

function describeRule(rule: FilterRule, options: DescribeOptions): string {
  const field = filterField(rule.field);
  if (!field) return '';
  const program = (id: number): string => options.programName?.(id) ?? `#${id}`;
  const one = (v: string | number): string => {
    if (field.type === 'text') return `"${String(v)}"`;
    if (field.type === 'program') return program(Number(v));
    if (field.type === 'percent') return `${v}%`;
    if (field.type === 'yesNo') return v === 'yes' ? 'yes' : 'no';
    return String(v);
  };
  const values = Array.isArray(rule.value) ? (rule.value as Array<string | number>) : [rule.value];
  const op = rule.operator;
  if (op === 'null' || op === 'notNull') return `${field.label} ${operatorLabel(field.type, op)}`;
  if (op === 'inLastDays' || op === 'inNextDays') {
    const n = Number(rule.value);
    return `${field.label} in the ${op === 'inLastDays' ? 'last' : 'next'} ${n} ${n === 1 ? 'day' : 'days'}`;
  }
  if (op === 'between') return `${field.label} is between ${one(values[0] ?? '')} and ${one(values[1] ?? '')}`;
  if (op === 'in' || op === 'notIn') return `${field.label} ${operatorLabel(field.type, op)} ${values.map(one).join(', ')}`;
  return `${field.label} ${operatorLabel(field.type, op)} ${one(values[0] ?? '')}`;
}

function describeNode(node: FilterRule | FilterGroup, options: DescribeOptions, nested: boolean): string {
  if (!isFilterGroup(node)) return describeRule(node, options);
  const parts = node.rules.map((child) => describeNode(child, options, true)).filter((s) => s !== '');
  if (parts.length === 0) return '';
  const joined = parts.join(node.combinator === 'and' ? ' AND ' : ' OR ');
  if (node.not) return `NOT (${joined})`;
  return nested && parts.length > 1 ? `(${joined})` : joined;
}

/** A short sentence for the filter: "Status is Active AND Expires in the next 30 days". */
export function describeFilter(tree: FilterTree, options: DescribeOptions = {}): string {
  return describeNode(tree, options, false) || 'All records';
}
