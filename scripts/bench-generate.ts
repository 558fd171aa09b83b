/**
 * The benchmark's data: a deterministic (seeded) CertDesk database of N
 * certification records over N/4 contacts and 40 programs, written fast.
 *
 * The schema comes from `openDatabase` (every migration applies, as in the
 * app); programs go through the real `createProgram`. Contacts and records are
 * made in JavaScript and bulk inserted through knex's raw sqlite3 connection
 * (prepared statements, 2,000 rows per statement as one bound JSON value);
 * history, component progress, outbox and change log are derived from them by
 * INSERT … SELECT in SQLite. All in one transaction, with the journal and
 * synchronous writes off while loading (a failed load is thrown away with its
 * temporary folder).
 *
 * Every record is consistent with today and n = 30, so the start-up sweep has
 * nothing to do: Active and Expiring follow the expiration date, Expired lies
 * in the past, Applied and Declined only on programs that require approval,
 * Admin Review only on programs that require completion approval. History
 * replays each record's path; the change log holds the programs and the last
 * months of activity (enough for a 100,000-change sync export at 1M records).
 */
import { fileURLToPath } from 'node:url';
import type { Database, Statement } from 'sqlite3';
import { en } from '@faker-js/faker';
import { closeDatabase, openDatabase, type Db } from '../main/db/database';
import { addMonths, addYears, fromDayNumber, toDayNumber, type CalendarDate } from '../main/rules/calendar';
import { computeExpiration } from '../main/rules/expiration';
import { type ExpirationRule } from '../main/rules/expiration';
import type { Status } from '../main/rules/statuses';
import type { Clock } from '../main/services/context';
import { contactKeys } from '../main/domain/contact';
import { createProgram, programComponents, type NewComponent } from '../main/services/programs';
import type { ComponentRow } from '../main/domain/rows';
import type { ProgramRow } from '../main/domain/rows';
import { writeSettings } from '../main/services/settings';
import { DEFAULT_SETTINGS } from '../main/domain/settings';

import { BENCH_NOW, BENCH_TODAY } from './bench-clock';

export { BENCH_NOW, BENCH_TODAY };
export const BENCH_TIME_ZONE = 'UTC';
export const BENCH_EXPIRING_DAYS = 30;
export const PROGRAM_COUNT = 40;
/** Changes at or after this day go into the change log (the rest were exported long ago). */
const LOG_WINDOW_DAYS = 75;

// ---------------------------------------------------------------------------
// Seeded randomness

/** sfc32: small, fast, good enough for test data, and the same on every machine. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.next();
  }
  /** A float in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    const t = (this.a + this.b + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Picks among weighted choices in O(log n) with a cumulative table. */
class Weighted<T> {
  private readonly cumulative: number[] = [];
  private readonly values: T[] = [];
  private total = 0;
  constructor(choices: ReadonlyArray<readonly [T, number]>) {
    for (const [value, weight] of choices) {
      if (weight <= 0) continue;
      this.total += weight;
      this.cumulative.push(this.total);
      this.values.push(value);
    }
  }
  pick(random: Random): T {
    const roll = random.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulative[mid] as number) > roll) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo] as T;
  }
}

// ---------------------------------------------------------------------------
// Programs

const DOMAINS = [
  'Association Executive',
  'Meeting Professional',
  'Nonprofit Manager',
  'Fundraising Executive',
  'Volunteer Administrator',
  'Event Planner',
  'Membership Specialist',
  'Compliance Officer',
  'Data Privacy Professional',
  'Risk Manager',
  'Grants Professional',
  'Healthcare Administrator',
  'Public Health Educator',
  'Financial Planner',
  'Internal Auditor',
  'Project Manager',
  'Human Resources Professional',
  'Ethics Officer',
  'Safety Professional',
  'Quality Auditor',
];

const COMPONENT_NAMES = [
  'Foundations Course',
  'Practice Module',
  'Case Study Review',
  'Written Examination',
  'Supervised Practice Log',
  'Portfolio Submission',
  'Ethics Module',
  'Capstone Project',
];
const COMPONENT_KINDS: ReadonlyArray<ComponentRow['kind']> = ['course', 'course', 'task', 'exam', 'task', 'document', 'course', 'task'];

interface BenchProgram {
  row: ProgramRow;
  rule: ExpirationRule;
  /** Typical validity in days (0: never expires). */
  periodDays: number;
  required: ComponentRow[];
  requireApproval: boolean;
  requireCompletionApproval: boolean;
  status: Weighted<StatusPlan>;
}

function expirationFor(p: number): ExpirationRule {
  if (p === 9) return { kind: 'fixed', date: '2026-12-31' };
  if (p === 19) return { kind: 'fixed', date: '2027-12-31' };
  const rules: ExpirationRule[] = [
    { kind: 'period', amount: 1, unit: 'years' },
    { kind: 'period', amount: 2, unit: 'years' },
    { kind: 'period', amount: 3, unit: 'years' },
    { kind: 'period', amount: 5, unit: 'years' },
    { kind: 'period', amount: 18, unit: 'months' },
    { kind: 'never' },
    { kind: 'period', amount: 3, unit: 'years' },
    { kind: 'period', amount: 2, unit: 'years' },
    { kind: 'period', amount: 1, unit: 'years' },
  ];
  return rules[p % rules.length] as ExpirationRule;
}

function periodDays(rule: ExpirationRule): number {
  if (rule.kind !== 'period') return 0;
  return rule.unit === 'years' ? rule.amount * 365 : rule.unit === 'months' ? Math.round(rule.amount * 30.44) : rule.amount;
}

/** What a record's status is planned as: "valid" becomes Active or Expiring by its expiration date. */
type StatusPlan = Exclude<Status, 'Active' | 'Expiring'> | 'valid';

const BASE_WEIGHTS: Record<StatusPlan, number> = {
  'In Progress': 20,
  valid: 33,
  Expired: 14,
  Applied: 6,
  'Admin Review': 4,
  Declined: 4,
  Inactive: 7,
  'Not Completed': 5,
  Cancelled: 7,
};

function statusWeights(rule: ExpirationRule, requireApproval: boolean, requireCompletionApproval: boolean): Weighted<StatusPlan> {
  return new Weighted(
    (Object.entries(BASE_WEIGHTS) as Array<[StatusPlan, number]>).map(([status, weight]): [StatusPlan, number] => {
      if (status === 'Applied' || status === 'Declined') return [status, requireApproval ? weight * 3 : 0];
      if (status === 'Admin Review') return [status, requireCompletionApproval ? weight * 5 : 0];
      if (status === 'Expired') return [status, rule.kind === 'period' ? weight : 0];
      return [status, weight];
    }),
  );
}

async function createPrograms(db: Db, random: Random): Promise<BenchProgram[]> {
  const clock: Clock = { now: () => new Date(`${fromDayNumber(toDayNumber(BENCH_TODAY) - 8 * 365)}T09:00:00Z`) };
  const ctx = { db, clock };
  const programs: BenchProgram[] = [];
  for (let p = 0; p < PROGRAM_COUNT; p++) {
    const domain = DOMAINS[p % DOMAINS.length] as string;
    const advanced = p >= DOMAINS.length;
    const name = `${advanced ? 'Advanced Certified' : 'Certified'} ${domain}`;
    const initials = domain
      .split(' ')
      .map((w) => w[0])
      .join('');
    const rule = expirationFor(p);
    const requireApproval = p % 3 === 0;
    const requireCompletionApproval = p % 7 === 3;
    const requiredCount = p === 17 ? 0 : 1 + ((p * 7) % 5);
    const components: NewComponent[] = [];
    for (let k = 0; k < requiredCount + (p % 3); k++) {
      const required = k < requiredCount;
      components.push({
        name: `${COMPONENT_NAMES[k % COMPONENT_NAMES.length] ?? 'Module'}${required ? '' : ' (elective)'}`,
        kind: COMPONENT_KINDS[k % COMPONENT_KINDS.length] ?? 'course',
        credits: random.int(0, 12),
        creditUnit: k % 2 === 0 ? 'hours' : 'credits',
        required,
      });
    }
    const row = await createProgram(ctx, {
      code: `${advanced ? 'A' : 'C'}${initials}${p + 1}`,
      name,
      category: p % 4 === 0 ? 'Leadership' : p % 4 === 1 ? 'Events' : p % 4 === 2 ? 'Compliance' : 'Specialty',
      description: `${name}: the association's credential for ${domain.toLowerCase()}s.`,
      requireApproval,
      requireCompletionApproval,
      expiration: rule,
      components,
    });
    const required = (await programComponents(db, row.id)).filter((c) => c.required === 1);
    programs.push({
      row,
      rule,
      periodDays: periodDays(rule),
      required,
      requireApproval,
      requireCompletionApproval,
      status: statusWeights(rule, requireApproval, requireCompletionApproval),
    });
  }
  return programs;
}

// ---------------------------------------------------------------------------
// People

const ACCENTED_FIRST = ['José', 'Zoë', 'Søren', 'Łukasz', 'Chloé', 'Renée', 'François', 'Björn', 'Małgorzata', 'Işıl', 'Ángel', 'Noémie'];
const ACCENTED_LAST = ['García', 'Müller', 'Nguyễn', 'Dvořák', "O'Brien", 'Ångström', 'Çelik', 'Søndergaard', 'Łopez', 'Peña', 'Schäfer', 'Øverland'];
const ORG_SUFFIXES = [
  'Health',
  'Associates',
  'Group',
  'Foundation',
  'Hospital',
  'University',
  'Council',
  'Partners',
  'Institute',
  'Society',
  'Clinic',
  'Consulting',
];
const MAIL_DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'proton.me'];

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (value && typeof value === 'object' && 'generic' in value) return stringList((value as { generic: unknown }).generic);
  return [];
}

const FIRST_NAMES = stringList(en.person?.first_name);
const LAST_NAMES = stringList(en.person?.last_name);

function ascii(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

// ---------------------------------------------------------------------------
// Bulk insert through the raw connection

/** Runs one statement on the raw sqlite3 connection. */
function exec(conn: Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => conn.exec(sql, (err) => (err ? reject(err) : resolve())));
}

function all<T>(conn: Database, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => conn.all(sql, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
}

type Value = string | number | null;

/**
 * Buffers rows of one table and writes them with one prepared statement per
 * 2,000 rows: `INSERT … SELECT value->>0, value->>1, … FROM jsonb_each(?)`,
 * the rows bound as one JSON parameter. SQLite unpacks JSON in C three to four
 * times faster than node-sqlite3 binds thousands of separate parameters. A few
 * statements stay in flight, so JavaScript makes the next rows while SQLite writes.
 */
class TableWriter {
  private static readonly ROWS = 2000;
  private readonly statement: Statement;
  private buffer: Value[][] = [];
  private pending: Array<Promise<void>> = [];
  rows = 0;

  constructor(
    conn: Database,
    table: string,
    private readonly columns: readonly string[],
  ) {
    const values = columns.map((_, i) => `value->>${i}`).join(', ');
    this.statement = conn.prepare(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${values} FROM jsonb_each(?)`);
  }

  async add(row: Readonly<Record<string, Value>>): Promise<void> {
    this.buffer.push(this.columns.map((column) => row[column] ?? null));
    this.rows += 1;
    if (this.buffer.length >= TableWriter.ROWS) {
      this.pending.push(this.flush());
      if (this.pending.length >= 4) await this.pending.shift();
    }
  }

  private flush(): Promise<void> {
    const json = JSON.stringify(this.buffer);
    this.buffer = [];
    return new Promise((resolve, reject) => this.statement.run([json], (err) => (err ? reject(err) : resolve())));
  }

  async finish(): Promise<void> {
    if (this.buffer.length > 0) this.pending.push(this.flush());
    await Promise.all(this.pending);
    this.pending = [];
    await new Promise<void>((resolve) => this.statement.finalize(() => resolve()));
  }
}

// ---------------------------------------------------------------------------
// Records and their lives

/**
 * The steps of a record's life in order. JavaScript decides each record's
 * status and dates; SQL below derives the history rows from them, and both use
 * `stampAt` (the same formula) for a step's time, so the record's created_at
 * and updated_at are exactly its first and last history entry's.
 */
const STEP = { enrolled: 0, decided: 1, manual: 2, completed: 3, approved: 4, expiring: 5, expired: 6 } as const;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Day numbers as dates, memoised: a million records share a few thousand days. */
const dates: CalendarDate[] = [];
function dateOf(day: number): CalendarDate {
  return (dates[day] ??= fromDayNumber(day));
}

function dayOrNull(day: number | null): CalendarDate | null {
  return day === null ? null : dateOf(day);
}

/** Office hours, later steps later in the day: steps on the same day stay in order. */
function stampAt(day: number, recordId: number, ord: number): string {
  const minutes = 420 + ord * 70 + ((recordId * 7919) % 70);
  return `${dateOf(day)}T${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}:${pad2((recordId * 31 + ord * 17) % 60)}.000Z`;
}

/** `stampAt` in SQL, for a query with `id`, `ord` and `day` columns. */
const STAMP_SQL =
  "printf('%sT%02d:%02d:%02d.000Z', day, (420 + ord * 70 + (id * 7919) % 70) / 60, (420 + ord * 70 + (id * 7919) % 70) % 60, (id * 31 + ord * 17) % 60)";

/**
 * Every history row of every record, from the record's status, dates and
 * program (see `firstAndLastStep` for the same days in JavaScript). CROSS JOIN
 * fixes the loop order (records by id, then steps in order), so ids follow
 * each record's life without a sort. Bindings: today, n.
 */
const HISTORY_SQL = `
WITH steps(ord) AS (VALUES (0), (1), (2), (3), (4), (5), (6)),
life AS (
  SELECT r.id, s.ord, r.status, p.name AS program, p.require_approval AS ra, p.require_completion_approval AS rc,
         r.applied_on, r.started_on, r.completed_on, r.expires_on
  FROM records r CROSS JOIN programs p CROSS JOIN steps s
  WHERE p.id = r.program_id AND CASE s.ord
    WHEN 0 THEN 1
    WHEN 1 THEN p.require_approval = 1 AND r.status <> 'Applied'
    WHEN 2 THEN r.status IN ('Inactive', 'Not Completed', 'Cancelled')
    WHEN 3 THEN r.status IN ('Admin Review', 'Active', 'Expiring', 'Expired')
    WHEN 4 THEN p.require_completion_approval = 1 AND r.status IN ('Active', 'Expiring', 'Expired')
    WHEN 5 THEN r.status IN ('Expiring', 'Expired')
    ELSE r.status = 'Expired' END
),
dated AS (
  SELECT *, min(?1, CASE ord
    WHEN 0 THEN coalesce(applied_on, started_on)
    WHEN 1 THEN CASE status WHEN 'Declined' THEN date(applied_on, '+' || (id % 30) || ' days') ELSE started_on END
    WHEN 2 THEN date(started_on, '+' || (10 + id % 291) || ' days')
    WHEN 5 THEN max(completed_on, date(expires_on, '-' || ?2 || ' days'))
    WHEN 6 THEN date(expires_on, '+1 day')
    ELSE completed_on END) AS day
  FROM life
)
INSERT INTO record_history (record_id, cycle, kind, from_status, to_status, detail, reason, rule, actor_id, actor_name, on_date, at)
SELECT id, 1,
  CASE ord WHEN 0 THEN 'enrollment' ELSE 'status' END,
  CASE ord WHEN 0 THEN NULL WHEN 1 THEN 'Applied' WHEN 4 THEN 'Admin Review' WHEN 5 THEN 'Active' WHEN 6 THEN 'Expiring' ELSE 'In Progress' END,
  CASE ord
    WHEN 0 THEN CASE ra WHEN 1 THEN 'Applied' ELSE 'In Progress' END
    WHEN 1 THEN CASE status WHEN 'Declined' THEN 'Declined' ELSE 'In Progress' END
    WHEN 2 THEN status
    WHEN 3 THEN CASE rc WHEN 1 THEN 'Admin Review' ELSE 'Active' END
    WHEN 4 THEN 'Active' WHEN 5 THEN 'Expiring' ELSE 'Expired' END,
  CASE ord WHEN 0 THEN 'Enrolled in ' || program ELSE '' END,
  CASE WHEN ord = 1 AND status = 'Declined' THEN 'Does not meet the experience requirement yet'
       WHEN ord = 2 THEN CASE status WHEN 'Inactive' THEN 'Member on leave of absence'
         WHEN 'Not Completed' THEN 'Program window closed before the exam was taken' ELSE 'Member asked to withdraw' END
       ELSE '' END,
  CASE ord
    WHEN 0 THEN CASE WHEN applied_on IS NULL THEN 'Added to the certification by staff from the back office'
      WHEN ra = 1 THEN 'Applied to a certification that requires approval' ELSE 'Applied to a certification that does not require approval' END
    WHEN 1 THEN CASE status WHEN 'Declined' THEN 'Decline application by staff' ELSE 'Approve application by staff' END
    WHEN 2 THEN CASE status WHEN 'Inactive' THEN 'Mark inactive by staff' WHEN 'Not Completed' THEN 'Mark not completed by staff'
      ELSE 'Cancel certification by staff' END
    WHEN 3 THEN CASE rc WHEN 1 THEN 'Every required component is completed; the certification requires admin approval for completion'
      ELSE 'Every required component is completed' END
    WHEN 4 THEN 'Approve completion by staff'
    WHEN 5 THEN 'Expires on ' || expires_on || ', within ' || ?2 || ' days'
    ELSE 'Expiration date ' || expires_on || ' has passed' END,
  NULL,
  CASE WHEN ord IN (3, 5, 6) OR (ord = 0 AND applied_on IS NOT NULL) THEN 'system'
    ELSE CASE (id + ord) % 5 WHEN 0 THEN 'Dana Whitfield' WHEN 1 THEN 'Marcus Lee' WHEN 2 THEN 'Priya Raman' WHEN 3 THEN 'Tom Okafor' ELSE 'Elena Rossi' END END,
  day,
  ${STAMP_SQL}
FROM dated`;

/** Completed required components, spread from the start day to completion (or today). Binding: today. */
const PROGRESS_SQL = `
WITH required AS MATERIALIZED (
  SELECT c.id, c.program_id, c.credits,
    (SELECT count(*) FROM components o WHERE o.program_id = c.program_id AND o.required = 1 AND (o.position < c.position OR (o.position = c.position AND o.id < c.id))) AS rank
  FROM components c WHERE c.required = 1
),
done AS (
  SELECT r.id AS record_id, q.id AS component_id, q.credits,
    date(r.started_on, '+' || CAST((julianday(coalesce(r.completed_on, ?1)) - julianday(r.started_on)) * (q.rank + 1) / r.required_total AS INTEGER) || ' days') AS day
  FROM records r CROSS JOIN required q WHERE q.program_id = r.program_id AND q.rank < r.required_done
)
INSERT INTO component_progress (record_id, component_id, cycle, completed_on, credits, note, recorded_by, recorded_at)
SELECT record_id, component_id, 1, day, credits, '', NULL, day || 'T12:00:00.000Z' FROM done ORDER BY record_id, component_id`;

/** One "Certification Expiring" email per Expiring record, queued when it entered Expiring. Bindings: subject and body templates. */
const OUTBOX_SQL = `
INSERT INTO outbox (kind, record_id, expires_on, to_email, to_name, subject, body, state, created_at)
SELECT 'certification-expiring', r.id, r.expires_on, c.email, c.first_name || ' ' || c.last_name,
  replace(replace(replace(?1, '{contact_name}', c.first_name || ' ' || c.last_name), '{certification}', p.name), '{expiration_date}', r.expires_on),
  replace(replace(replace(?2, '{contact_name}', c.first_name || ' ' || c.last_name), '{certification}', p.name), '{expiration_date}', r.expires_on),
  'queued', r.updated_at
FROM records r JOIN contacts c ON c.id = r.contact_id JOIN programs p ON p.id = r.program_id
WHERE r.status = 'Expiring' ORDER BY r.id`;

const RECORD_JSON = `json_object('id', r.id, 'contact_id', r.contact_id, 'program_id', r.program_id, 'status', r.status, 'sort_name', r.sort_name,
  'cycle', r.cycle, 'applied_on', r.applied_on, 'started_on', r.started_on, 'completed_on', r.completed_on, 'approved_on', r.approved_on,
  'expires_on', r.expires_on, 'expiration_overridden', r.expiration_overridden, 'required_total', r.required_total,
  'required_done', r.required_done, 'notes', r.notes, 'created_at', r.created_at, 'updated_at', r.updated_at)`;

/**
 * The change log of the last LOG_WINDOW_DAYS, in time order, as the services
 * write it: contacts, enrollments (record then history), status changes
 * (history then the record), emails. Binding: the first day of the window.
 */
const CHANGE_LOG_SQL = `
INSERT INTO change_log (entity, entity_id, op, data, at)
SELECT entity, entity_id, op, data, at FROM (
  SELECT 'contact' AS entity, c.id AS entity_id, 'insert' AS op, 0 AS part, c.created_at AS at,
    json_object('id', c.id, 'central_id', c.central_id, 'member_number', c.member_number, 'first_name', c.first_name,
      'last_name', c.last_name, 'email', c.email, 'organization', c.organization, 'phone', c.phone, 'name_key', c.name_key,
      'created_at', c.created_at, 'updated_at', c.updated_at) AS data
  FROM contacts c WHERE c.created_at >= ?1
  UNION ALL
  SELECT 'record', r.id, 'insert', 1, r.created_at, ${RECORD_JSON} FROM records r WHERE r.created_at >= ?1
  UNION ALL
  SELECT 'history', h.id, 'insert', 2, h.at,
    json_object('id', h.id, 'record_id', h.record_id, 'cycle', h.cycle, 'kind', h.kind, 'from_status', h.from_status,
      'to_status', h.to_status, 'detail', h.detail, 'reason', h.reason, 'rule', h.rule, 'actor_id', h.actor_id,
      'actor_name', h.actor_name, 'on_date', h.on_date, 'at', h.at)
  FROM record_history h WHERE h.at >= ?1
  UNION ALL
  SELECT 'record', r.id, 'update', 3, h.at, ${RECORD_JSON}
  FROM record_history h JOIN records r ON r.id = h.record_id WHERE h.at >= ?1 AND h.kind = 'status'
  UNION ALL
  SELECT 'outbox', o.id, 'insert', 4, o.created_at,
    json_object('id', o.id, 'kind', o.kind, 'record_id', o.record_id, 'expires_on', o.expires_on, 'to_email', o.to_email,
      'to_name', o.to_name, 'subject', o.subject, 'body', o.body, 'state', o.state, 'created_at', o.created_at, 'exported_seq', o.exported_seq)
  FROM outbox o WHERE o.created_at >= ?1
) ORDER BY at, entity_id, part`;

interface LifeDays {
  status: Status;
  id: number;
  requireApproval: boolean;
  requireCompletionApproval: boolean;
  applied: number | null;
  start: number;
  completed: number | null;
  expires: number | null;
}

const capAt =
  (today: number) =>
  (day: number, ord: number): [number, number] => [Math.min(day, today), ord];

/** The first and last step of a record's life as [day, ord], exactly as HISTORY_SQL dates them. */
function firstAndLastStep(r: LifeDays, today: number): [[number, number], [number, number]] {
  const first: [number, number] = [Math.min(r.applied ?? r.start, today), STEP.enrolled];
  const cap = capAt(today);
  const completed = r.completed ?? r.start;
  const expires = r.expires ?? today;
  switch (r.status) {
    case 'Applied':
      return [first, first];
    case 'Declined':
      return [first, cap((r.applied ?? r.start) + (r.id % 30), STEP.decided)];
    case 'In Progress':
      return [first, r.requireApproval ? cap(r.start, STEP.decided) : first];
    case 'Inactive':
    case 'Not Completed':
    case 'Cancelled':
      return [first, cap(r.start + 10 + (r.id % 291), STEP.manual)];
    case 'Admin Review':
      return [first, cap(completed, STEP.completed)];
    case 'Active':
      return [first, cap(completed, r.requireCompletionApproval ? STEP.approved : STEP.completed)];
    case 'Expiring':
      return [first, cap(Math.max(completed, expires - BENCH_EXPIRING_DAYS), STEP.expiring)];
    case 'Expired':
      return [first, cap(expires + 1, STEP.expired)];
  }
}

function run(conn: Database, sql: string, params: Value[] = []): Promise<void> {
  return new Promise((resolve, reject) => conn.run(sql, params, (err) => (err ? reject(err) : resolve())));
}

export interface GenerateOptions {
  dataDir: string;
  records: number;
  seed: number;
  onProgress?: (message: string) => void;
}

export interface GenerateResult {
  contacts: number;
  records: number;
  history: number;
  progress: number;
  outbox: number;
  changeLog: number;
  byStatus: Record<string, number>;
  ms: number;
}

async function count(db: Db, table: string): Promise<number> {
  return Number(((await db(table).count({ n: '*' }).first()) as { n: number }).n);
}

/** Generates the database into `dataDir` (which must not hold one yet) and closes it. */
export async function generateDatabase(options: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const elapsed = (): string => {
    const cpu = process.cpuUsage(cpu0);
    return `${((performance.now() - started) / 1000).toFixed(1)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`;
  };
  const say = (message: string): void => options.onProgress?.(`generating: ${message} (${elapsed()})`);
  const random = new Random(options.seed);
  const total = options.records;
  const contactCount = Math.max(1, Math.round(total / 4));
  const db = await openDatabase({ dataDir: options.dataDir, now: () => BENCH_NOW });
  await writeSettings(db, { timeZone: BENCH_TIME_ZONE, expiringDays: BENCH_EXPIRING_DAYS });
  const programs = await createPrograms(db, random);
  // Some certifications are far more popular than others.
  const popularity = new Weighted(programs.map((p, i): [BenchProgram, number] => [p, 1 / (i + 3)]));

  const today = toDayNumber(BENCH_TODAY);
  const orgs = Array.from({ length: 2000 }, () => `${random.pick(LAST_NAMES)} ${random.pick(ORG_SUFFIXES)}`);

  const client = db.client as { acquireConnection(): Promise<Database>; releaseConnection(conn: Database): Promise<void> };
  const conn = await client.acquireConnection();
  const byStatus: Record<string, number> = {};
  let recordId = 0;
  try {
    conn.serialize();
    // Rows of several tables are written in batches whose order differs from the references between them.
    await exec(
      conn,
      'PRAGMA foreign_keys = OFF; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA temp_store = MEMORY',
    );
    await exec(conn, 'BEGIN');
    // Contacts and records arrive in id order but their other indexes would be filled at random places:
    // those are built once after loading (a sort) instead. The schema ends identical.
    const indexes = await all<{ name: string; sql: string }>(
      conn,
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('contacts', 'records', 'record_sort_keys')",
    );
    for (const index of indexes) await exec(conn, `DROP INDEX "${index.name.replace(/"/g, '""')}"`);
    // The kept sort keys (migration 006) are filled once after loading, in one statement, not by a trigger per record.
    const keyTriggers = await all<{ name: string; sql: string }>(
      conn,
      "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name = 'record_sort_keys_insert'",
    );
    for (const trigger of keyTriggers) await exec(conn, `DROP TRIGGER "${trigger.name}"`);

    const contacts = new TableWriter(conn, 'contacts', [
      'id',
      'central_id',
      'member_number',
      'first_name',
      'last_name',
      'email',
      'organization',
      'phone',
      'name_key',
      // The search keys (migration 009) the Customize Filter's email, organization and member number conditions read.
      'email_key',
      'organization_key',
      'member_key',
      'created_at',
      'updated_at',
    ]);
    const records = new TableWriter(conn, 'records', [
      'id',
      'contact_id',
      'program_id',
      'status',
      'sort_name',
      'applied_on',
      'started_on',
      'completed_on',
      'approved_on',
      'expires_on',
      'required_total',
      'required_done',
      'notes',
      'created_at',
      'updated_at',
    ]);

    let lastReport = 0;
    for (let i = 1; i <= contactCount; i++) {
      // Records per contact: 0–8, about 4 on average, landing exactly on `total`.
      const left = total - recordId;
      let k = random.chance(0.03) ? 0 : random.int(1, 7);
      k = Math.min(Math.max(k, left - 8 * (contactCount - i)), left, 8);

      const accented = random.chance(0.03);
      const firstName = accented ? random.pick(ACCENTED_FIRST) : random.pick(FIRST_NAMES);
      const lastName = accented && random.chance(0.5) ? random.pick(ACCENTED_LAST) : random.pick(LAST_NAMES);
      const joined = today - random.int(30, 9 * 365);
      const contactAt = stampAt(joined, i, 9);
      const text = {
        member_number: `M${String(1_000_000 + i)}`,
        first_name: firstName,
        last_name: lastName,
        email: `${ascii(firstName)}.${ascii(lastName)}${random.chance(0.5) ? random.int(1, 99) : ''}@${random.pick(MAIL_DOMAINS)}`,
        organization: random.chance(0.85) ? random.pick(orgs) : '',
      };
      const keys = contactKeys(text);
      const name_key = keys.name_key;
      await contacts.add({
        id: i,
        central_id: random.chance(0.7) ? `ctr-${i.toString(36)}` : null,
        ...text,
        phone: `(${random.int(201, 989)}) 555-${String(random.int(0, 9999)).padStart(4, '0')}`,
        ...keys,
        created_at: contactAt,
        updated_at: contactAt,
      });

      const used = new Set<number>();
      for (let e = 0; e < k; e++) {
        let program = popularity.pick(random);
        while (used.has(program.row.id)) program = popularity.pick(random);
        used.add(program.row.id);
        recordId += 1;

        // The record's life, from the end backwards: when it was completed, when it started.
        let plan = program.status.pick(random);
        let expires: number | null = null;
        let completed: number | null = null;
        if (plan === 'valid' || plan === 'Expired') {
          if (program.rule.kind === 'period') {
            expires = plan === 'valid' ? today + random.int(0, program.periodDays - 1) : today - random.int(1, 3 * 365);
            const back = program.rule.unit === 'years' ? addYears(dateOf(expires), -program.rule.amount) : addMonths(dateOf(expires), -program.rule.amount);
            completed = toDayNumber(back);
          } else {
            plan = 'valid';
            completed = Math.max(joined + 30, today - random.int(40, 6 * 365));
            const on = computeExpiration(program.rule, dateOf(completed));
            expires = on === null ? null : toDayNumber(on);
          }
        } else if (plan === 'Admin Review') completed = today - random.int(1, 60);
        const end = completed ?? today - random.int(1, 5 * 365);
        const start = Math.min(end - random.int(20, 400), today - 1);
        const viaApplication = program.requireApproval || random.chance(0.5);
        // Approval takes a while; without approval an application starts the work at once.
        const applied = viaApplication ? (program.requireApproval ? start - random.int(0, 30) : start) : null;
        const status: Status = plan === 'valid' ? (expires !== null && expires <= today + BENCH_EXPIRING_DAYS ? 'Expiring' : 'Active') : plan;
        const timed = status === 'Active' || status === 'Expiring' || status === 'Expired';
        const requiredTotal = program.required.length;
        const partial = requiredTotal > 0 ? random.int(0, requiredTotal - 1) : 0;
        const requiredDone = timed || status === 'Admin Review' ? requiredTotal : status === 'Applied' || status === 'Declined' ? 0 : partial;
        const [[firstDay, firstOrd], [lastDay, lastOrd]] = firstAndLastStep(
          {
            status,
            id: recordId,
            requireApproval: program.requireApproval,
            requireCompletionApproval: program.requireCompletionApproval,
            applied,
            start,
            completed,
            expires,
          },
          today,
        );

        await records.add({
          id: recordId,
          contact_id: i,
          program_id: program.row.id,
          status,
          sort_name: name_key,
          applied_on: dayOrNull(applied),
          started_on: status === 'Applied' || status === 'Declined' ? null : dateOf(start),
          completed_on: dayOrNull(completed),
          approved_on: status === 'Admin Review' ? null : dayOrNull(completed),
          expires_on: timed ? dayOrNull(expires) : null,
          required_total: requiredTotal,
          required_done: requiredDone,
          notes: random.chance(0.05) ? 'Called about the renewal; will send the transcript.' : '',
          created_at: stampAt(firstDay, recordId, firstOrd),
          updated_at: stampAt(lastDay, recordId, lastOrd),
        });
        byStatus[status] = (byStatus[status] ?? 0) + 1;
      }
      if (recordId - lastReport >= 100_000 || i === contactCount) {
        lastReport = recordId;
        say(`${recordId.toLocaleString('en')} / ${total.toLocaleString('en')} records, ${i.toLocaleString('en')} contacts`);
      }
    }
    await contacts.finish();
    await records.finish();
    const todayText = dateOf(today);
    say(`building ${indexes.length} indexes`);
    for (const index of indexes) await exec(conn, index.sql);
    if (keyTriggers.length > 0) {
      say('kept sort keys');
      await exec(
        conn,
        `INSERT INTO record_sort_keys (record_id, status, program_id, email, certification)
          SELECT r.id, r.status, r.program_id, c.email, p.name FROM records r JOIN contacts c ON c.id = r.contact_id JOIN programs p ON p.id = r.program_id ORDER BY r.id`,
      );
      for (const trigger of keyTriggers) await exec(conn, trigger.sql);
    }
    say('history');
    await run(conn, HISTORY_SQL, [todayText, BENCH_EXPIRING_DAYS]);
    say('component progress');
    await run(conn, PROGRESS_SQL, [todayText]);
    say('outbox');
    await run(conn, OUTBOX_SQL, [DEFAULT_SETTINGS.expiringEmailSubject, DEFAULT_SETTINGS.expiringEmailBody]);
    say('change log');
    await run(conn, CHANGE_LOG_SQL, [dateOf(today - LOG_WINDOW_DAYS)]);
    await exec(conn, 'COMMIT');
    await exec(conn, 'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -2000');
  } finally {
    await client.releaseConnection(conn);
  }
  const result: GenerateResult = {
    contacts: contactCount,
    records: recordId,
    history: await count(db, 'record_history'),
    progress: await count(db, 'component_progress'),
    outbox: await count(db, 'outbox'),
    changeLog: await count(db, 'change_log'),
    byStatus,
    ms: 0,
  };
  say('closing (PRAGMA optimize)');
  await closeDatabase(db);
  result.ms = performance.now() - started;
  return result;
}

// `tsx scripts/bench-generate.ts DIR RECORDS SEED`: what bench.ts runs in a child process; the result as JSON on stdout.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dataDir, records, seed] = process.argv.slice(2);
  if (!dataDir || !records || !seed) throw new Error('usage: tsx scripts/bench-generate.ts DIR RECORDS SEED');
  generateDatabase({ dataDir, records: Number(records), seed: Number(seed), onProgress: (m) => void process.stderr.write(`${m}\n`) }).then(
    (result) => void process.stdout.write(JSON.stringify(result)),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
