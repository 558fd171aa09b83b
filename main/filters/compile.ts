/**
 * Turns a checked filter tree into where clauses on a query over `records as r`.
 *
 * The SQL text comes only from this file (column names, operators, the shape
 * of the tree); every value the user typed is a `?` binding. Contact fields
 * are tested through a subquery on `contacts as fc`, so the clauses work on the
 * list query (which joins contacts as c and programs as p) and on its count
 * query (which joins nothing) alike. The subquery takes one of two forms with
 * the same meaning (`ContactTest`).
 *
 * Every condition is two-valued (never SQL NULL), so `not` on a group is the
 * plain logical negation of what the group matches:
 * - empty means NULL or '' for text and dates; the percent, status and certification are never empty;
 * - "does not contain", "is not" and "is not one of" include empty values;
 * - "is on", "is before", "is after", "is between" and "in the last/next N days" never match an empty date.
 *
 * Empty groups (no conditions anywhere inside) are dropped with their `not`:
 * an empty group inside an OR adds nothing, and an entirely empty tree adds no
 * condition at all.
 */
import type { Knex } from 'knex';
import { addDays, isCalendarDate, startOfDayIn, type CalendarDate } from '../rules/calendar';
import { escapeLike, foldForSearch, searchWords } from '../domain/text-search';
import { filterField, isFilterGroup, type FilterGroup, type FilterRule, type FilterTree } from './fields';
import { filterTreeSchema } from './filter-schema';

interface Fragment {
  sql: string;
  bindings: Array<string | number>;
}

const frag = (sql: string, ...bindings: Array<string | number>): Fragment => ({ sql, bindings });

/** "x escape '\'": the escape character escapeLike uses. */
const ESCAPE = "escape '\\'";

const DATE_COLUMNS = {
  appliedOn: 'r.applied_on',
  startedOn: 'r.started_on',
  completedOn: 'r.completed_on',
  expiresOn: 'r.expires_on',
} as const;

/** Each text field's folded search key (migration 009), compared with the typed value folded the same way. */
const CONTACT_TEXT_COLUMNS = {
  email: 'fc.email_key',
  memberNumber: 'fc.member_key',
  organization: 'fc.organization_key',
} as const;

const PERCENT = '(case when r.required_total = 0 then 0 else r.required_done * 100.0 / r.required_total end)';

function text(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError('filter value is not text; check the tree with filterTreeSchema first');
  return value;
}

function num(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError('filter value is not a number; check the tree with filterTreeSchema first');
  return value;
}

function list<T>(value: unknown, item: (v: unknown) => T): T[] {
  if (!Array.isArray(value) || value.length === 0) throw new TypeError('filter value is not a list; check the tree with filterTreeSchema first');
  return (value as unknown[]).map(item);
}

function pair<T>(value: unknown, item: (v: unknown) => T): [T, T] {
  const [a, b, ...rest] = list(value, item);
  if (a === undefined || b === undefined || rest.length > 0) throw new TypeError('filter value is not a pair');
  return [a, b];
}

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/**
 * How a condition on the contact reaches the record. `set`: the matching
 * contacts are gathered once (`r.contact_id in (…)`), best when most records
 * are tested, as by a count, and what lets SQLite serve an OR from several
 * indexes. `row`: each record looks up its own contact's answer (a correlated
 * scalar subquery), best when SQLite walks a sort index and stops after the
 * page, testing only the records up to it. (Not `exists`: SQLite would first
 * scan every contact to build a Bloom filter for it, 80 ms at 250,000 contacts.)
 */
export type ContactTest = 'set' | 'row';

/** A condition on the record's contact; two-valued either way. */
function onContact(condition: Fragment, how: ContactTest): Fragment {
  if (how === 'row') return { sql: `coalesce((select (${condition.sql}) from contacts as fc where fc.id = r.contact_id), 0)`, bindings: condition.bindings };
  return { sql: `r.contact_id in (select fc.id from contacts as fc where ${condition.sql})`, bindings: condition.bindings };
}

/**
 * Contact name, against contacts.name_key: "last first", folded with full
 * Unicode case folding in JavaScript. The typed text is folded the same way
 * and taken word by word, so the order of first and last name does not matter:
 * - contains: every word appears somewhere in the name;
 * - begins with / ends with: every word begins / ends some word of the name;
 * - is: the name's words are the typed words in the same cyclic order, so
 *   "Anna Smith" and "Smith Anna" both match Anna Smith;
 * - the negations match exactly the names the positive form does not.
 */
function contactName(operator: string, value: string, how: ContactTest): Fragment {
  if (operator === 'null') return onContact(frag("fc.name_key = ''"), how);
  if (operator === 'notNull') return onContact(frag("fc.name_key <> ''"), how);
  const ws = searchWords(value);
  // The schema refuses blank text, so there is at least one word.
  const all = (one: (w: string) => Fragment): Fragment => {
    const parts = ws.map(one);
    return { sql: parts.map((p) => p.sql).join(' and '), bindings: parts.flatMap((p) => p.bindings) };
  };
  let positive: Fragment;
  switch (operator) {
    case 'contains':
    case 'doesNotContain':
      positive = all((w) => frag(`fc.name_key like ? ${ESCAPE}`, `%${escapeLike(w)}%`));
      break;
    case 'beginsWith':
      positive = all((w) => frag(`(' ' || fc.name_key) like ? ${ESCAPE}`, `% ${escapeLike(w)}%`));
      break;
    case 'endsWith':
      positive = all((w) => frag(`(fc.name_key || ' ') like ? ${ESCAPE}`, `%${escapeLike(w)} %`));
      break;
    case '=':
    case '!=': {
      const rotations = ws.map((_, i) => [...ws.slice(i), ...ws.slice(0, i)].join(' '));
      positive = frag(`fc.name_key in (${placeholders(rotations.length)})`, ...rotations);
      break;
    }
    default:
      throw new TypeError(`operator ${operator} does not apply to contactName`);
  }
  const negate = operator === 'doesNotContain' || operator === '!=';
  return onContact(negate ? { sql: `not (${positive.sql})`, bindings: positive.bindings } : positive, how);
}

/**
 * The list's search box: the contact's name contains every word typed (the
 * Customize Filter's "contact name contains"); null when nothing is typed.
 */
export function nameContains(typed: string, how: ContactTest = 'set'): Fragment | null {
  return searchWords(typed).length === 0 ? null : contactName('contains', typed, how);
}

/**
 * Email, member number, organization, on their stored search keys: the typed
 * value is folded as the keys are (foldForSearch: case, accents, compatibility
 * forms), so "école" finds "École" and "strasse" finds "Straße". Wildcards
 * typed are escaped. (SQLite's LIKE also ignores ASCII case; on folded text on
 * both sides that changes nothing.)
 */
function contactText(column: string, operator: string, value: string, how: ContactTest): Fragment {
  const indexed = column === CONTACT_TEXT_COLUMNS.organization && (operator === 'contains' || operator === 'doesNotContain') ? organizationSearch(value) : null;
  // The index answers with contact ids: either form tests the record's contact id against them (gathered once).
  if (indexed) return operator === 'contains' ? indexed : { sql: `not (${indexed.sql})`, bindings: indexed.bindings };
  return onContact(contactTextCondition(column, operator, value), how);
}

/**
 * "Organization contains" through its trigram index (migration 017) instead of a LIKE over every
 * contact: the typed text, folded as the keys are, as one FTS5 phrase (its trigrams in a row), which
 * matches exactly the keys containing it. Null below three characters (no whole trigram: LIKE scans).
 */
function organizationSearch(typed: string): Fragment | null {
  const value = foldForSearch(typed);
  if ([...value].length < 3) return null;
  return frag(
    'r.contact_id in (select rowid from contact_organization_search where contact_organization_search match ?)',
    `organization_key : "${value.replaceAll('"', '""')}"`,
  );
}

function contactTextCondition(column: string, operator: string, typed: string): Fragment {
  const text = `coalesce(${column}, '')`;
  const value = foldForSearch(typed);
  const pattern = escapeLike(value);
  switch (operator) {
    case 'contains':
      return frag(`${text} like ? ${ESCAPE}`, `%${pattern}%`);
    case 'doesNotContain':
      return frag(`${text} not like ? ${ESCAPE}`, `%${pattern}%`);
    case 'beginsWith':
      return frag(`${text} like ? ${ESCAPE}`, `${pattern}%`);
    case 'endsWith':
      return frag(`${text} like ? ${ESCAPE}`, `%${pattern}`);
    case '=':
      return frag(`${text} = ?`, value);
    case '!=':
      return frag(`${text} <> ?`, value);
    case 'null':
      return frag(`${text} = ''`);
    case 'notNull':
      return frag(`${text} <> ''`);
    default:
      throw new TypeError(`operator ${operator} does not apply to text`);
  }
}

function inList(column: string, operator: string, values: Array<string | number>): Fragment {
  switch (operator) {
    case '=':
      return frag(`${column} = ?`, ...values);
    case '!=':
      return frag(`${column} <> ?`, ...values);
    case 'in':
      return frag(`${column} in (${placeholders(values.length)})`, ...values);
    case 'notIn':
      return frag(`${column} not in (${placeholders(values.length)})`, ...values);
    default:
      throw new TypeError(`operator ${operator} does not apply to a list field`);
  }
}

function dateCondition(column: string, operator: string, value: unknown, today: CalendarDate): Fragment {
  // Written as `(col is null) = 0` so SQLite can range-scan the sort index on
  // (col IS NULL, col) (migration 003): 1 ms instead of 40 ms for "expires in the next 30 days".
  const present = `(${column} is null) = 0 and ${column} <> ''`;
  switch (operator) {
    case 'null':
      return frag(`coalesce(${column}, '') = ''`);
    case 'notNull':
      return frag(`(${present})`);
    case '=':
      return frag(`(${present} and ${column} = ?)`, text(value));
    case '<':
      return frag(`(${present} and ${column} < ?)`, text(value));
    case '>':
      return frag(`(${present} and ${column} > ?)`, text(value));
    case 'between': {
      const [from, to] = pair(value, text);
      return frag(`(${present} and ${column} >= ? and ${column} <= ?)`, from, to);
    }
    case 'inLastDays':
      return frag(`(${present} and ${column} >= ? and ${column} <= ?)`, addDays(today, -num(value)), today);
    case 'inNextDays':
      return frag(`(${present} and ${column} >= ? and ${column} <= ?)`, today, addDays(today, num(value)));
    default:
      throw new TypeError(`operator ${operator} does not apply to a date`);
  }
}

/**
 * A condition on an instant (ISO text in UTC) by the office's calendar days:
 * each day becomes the half-open range of instants from its start to the next
 * day's start in the office time zone, so "Last change on 10 March" means the
 * office's 10 March, not UTC's.
 */
function instantCondition(column: string, operator: string, value: unknown, today: CalendarDate, timeZone: string): Fragment {
  const start = (day: CalendarDate): string => startOfDayIn(timeZone, day).toISOString();
  const within = (from: CalendarDate, to: CalendarDate): Fragment => frag(`(${column} >= ? and ${column} < ?)`, start(from), start(addDays(to, 1)));
  switch (operator) {
    case 'null':
      return frag(`coalesce(${column}, '') = ''`);
    case 'notNull':
      return frag(`(${column} is not null and ${column} <> '')`);
    case '=':
      return within(text(value), text(value));
    case '<':
      return frag(`(${column} <> '' and ${column} < ?)`, start(text(value)));
    case '>':
      return frag(`(${column} >= ?)`, start(addDays(text(value), 1)));
    case 'between': {
      const [from, to] = pair(value, text);
      return within(from, to);
    }
    case 'inLastDays':
      return within(addDays(today, -num(value)), today);
    case 'inNextDays':
      return within(today, addDays(today, num(value)));
    default:
      throw new TypeError(`operator ${operator} does not apply to a date`);
  }
}

function percentCondition(operator: string, value: unknown): Fragment {
  switch (operator) {
    case '=':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return frag(`${PERCENT} ${operator === '!=' ? '<>' : operator} ?`, num(value));
    case 'between': {
      const [low, high] = pair(value, num);
      return frag(`${PERCENT} between ? and ?`, low, high);
    }
    default:
      throw new TypeError(`operator ${operator} does not apply to a percent`);
  }
}

/**
 * Credits still needed (records.credits_needed, kept with each activity change; migration 010).
 * Empty means no renewal requirement applies; "is not" includes empty, like text; comparisons never match empty.
 */
function creditsCondition(operator: string, value: unknown): Fragment {
  const column = 'r.credits_needed';
  const present = `(${column} is null) = 0`;
  switch (operator) {
    case 'null':
      return frag(`${column} is null`);
    case 'notNull':
      return frag(present);
    case '!=':
      return frag(`coalesce(${column} <> ?, 1)`, num(value));
    case '=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return frag(`(${present} and ${column} ${operator} ?)`, num(value));
    case 'between': {
      const [low, high] = pair(value, num);
      return frag(`(${present} and ${column} between ? and ?)`, low, high);
    }
    default:
      throw new TypeError(`operator ${operator} does not apply to credits`);
  }
}

/**
 * On track: records.credits_on_track_until is the last day on which the credits that count meet the
 * requirement pro rata (rules/credits.ts), so "on track today" is one comparison with the office's date.
 * Records without a requirement are neither on track nor behind.
 */
function onTrackCondition(value: unknown, today: CalendarDate): Fragment {
  const column = 'r.credits_on_track_until';
  return frag(`((${column} is null) = 0 and ${column} ${text(value) === 'yes' ? '>=' : '<'} ?)`, today);
}

function compileRule(rule: FilterRule, today: CalendarDate, how: ContactTest, timeZone: string): Fragment {
  const field = filterField(rule.field);
  if (!field || !(field.operators as readonly string[]).includes(rule.operator)) {
    throw new TypeError('filter rule is not on the allow-list; check the tree with filterTreeSchema first');
  }
  const { operator, value } = rule;
  switch (field.name) {
    case 'contactName':
      return contactName(operator, operator === 'null' || operator === 'notNull' ? '' : text(value), how);
    case 'email':
    case 'memberNumber':
    case 'organization':
      return contactText(CONTACT_TEXT_COLUMNS[field.name], operator, operator === 'null' || operator === 'notNull' ? '' : text(value), how);
    case 'status':
      return inList('r.status', operator, operator === 'in' || operator === 'notIn' ? list(value, text) : [text(value)]);
    case 'certification':
      return inList('r.program_id', operator, operator === 'in' || operator === 'notIn' ? list(value, num) : [num(value)]);
    case 'appliedOn':
    case 'startedOn':
    case 'completedOn':
    case 'expiresOn':
      return dateCondition(DATE_COLUMNS[field.name], operator, value, today);
    case 'updatedAt':
      return instantCondition('r.updated_at', operator, value, today, timeZone);
    case 'progress':
      return percentCondition(operator, value);
    case 'creditsNeeded':
      return creditsCondition(operator, value);
    case 'onTrack':
      return onTrackCondition(value, today);
  }
}

/** The group's condition, or null when nothing inside it is a condition. */
function compileGroup(group: FilterGroup, today: CalendarDate, how: ContactTest, timeZone: string): Fragment | null {
  const parts: Fragment[] = [];
  for (const child of group.rules) {
    const part = isFilterGroup(child) ? compileGroup(child, today, how, timeZone) : compileRule(child, today, how, timeZone);
    if (part) parts.push(part);
  }
  if (parts.length === 0) return null;
  const joined = parts.map((p) => `(${p.sql})`).join(group.combinator === 'or' ? ' or ' : ' and ');
  return { sql: group.not ? `not (${joined})` : joined, bindings: parts.flatMap((p) => p.bindings) };
}

/** Whether any condition of the tree is on the record's contact (name, email, member number, organization). */
export function testsContact(group: FilterGroup): boolean {
  return group.rules.some((child) => (isFilterGroup(child) ? testsContact(child) : child.field === 'contactName' || child.field in CONTACT_TEXT_COLUMNS));
}

/** The tree's condition as SQL text and bindings (null: no condition). Exposed for tests and EXPLAIN. */
export function compileFilterTree(tree: FilterTree, today: CalendarDate, how: ContactTest = 'set', timeZone = 'UTC'): Fragment | null {
  if (!isCalendarDate(today)) throw new RangeError(`today is not a calendar date: ${String(today)}`);
  return compileGroup(tree, today, how, timeZone);
}

/**
 * Adds the tree's condition to `q`, a query over `records as r`. The tree must
 * have passed `filterTreeSchema` (use `validateFilterTree`); `today` is the
 * office's date, for "in the last / next N days"; `timeZone` the office's, for "Last change"
 * (an instant compared by the office's days).
 */
export function applyFilterTree(q: Knex.QueryBuilder, tree: FilterTree, today: CalendarDate, how: ContactTest = 'set', timeZone = 'UTC'): Knex.QueryBuilder {
  const compiled = compileFilterTree(tree, today, how, timeZone);
  // The callback form makes knex put the condition in parentheses; values stay bound.
  return compiled ? q.where((w) => void w.whereRaw(compiled.sql, compiled.bindings)) : q;
}

export function validateFilterTree(input: unknown): { ok: true; tree: FilterTree } | { ok: false; message: string } {
  const parsed = filterTreeSchema.safeParse(input);
  if (parsed.success) return { ok: true, tree: parsed.data };
  return { ok: false, message: parsed.error.issues[0]?.message ?? 'The filter is not valid.' };
}
