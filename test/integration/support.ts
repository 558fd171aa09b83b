/**
 * Shared helpers for the integration tests: a real SQLite file in a fresh
 * temporary folder, a clock the test moves by hand, and small builders for
 * programs, contacts and staff that go through the real services.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { closeDatabase, databaseFile, openDatabase, type Db } from '../../main/db/database';
import type { CalendarDate } from '../../main/rules/calendar';
import { createContact } from '../../main/services/contacts';
import type { Actor, Clock, ServiceContext } from '../../main/services/context';
import { createProgram, programComponents, type NewComponent, type NewProgram } from '../../main/services/programs';
import type { ComponentRow } from '../../main/domain/rows';
import type { ContactRow, ProgramRow } from '../../main/domain/rows';
import { getRecordRow, setStatus } from '../../main/services/records';
import type { Status } from '../../main/rules/statuses';
import { ServiceError } from '../../main/services/context';
import type { HistoryRow, RecordRow } from '../../main/domain/rows';
import { writeSettings } from '../../main/services/settings';
import type { ChangeLogRow } from '../../main/sync/format';
import { actorOf, createUser, TEST_PASSWORD_COST } from '../../main/services/users';

/** A clock the test sets; `now()` is what every service sees. */
export class TestClock implements Clock {
  private current: Date;
  constructor(iso: string) {
    this.current = new Date(iso);
  }
  now(): Date {
    return this.current;
  }
  set(iso: string): void {
    this.current = new Date(iso);
  }
  /** Noon UTC of a calendar day (the same calendar day in every zone from UTC-11 to UTC+11). */
  setDay(day: CalendarDate, time = '12:00:00'): void {
    this.current = new Date(`${day}T${time}Z`);
  }
}

export function tempDir(label = 'certdesk-it-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), label));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export { sha256 } from '../support/files';

export interface TestDb {
  dir: string;
  file: string;
  db: Db;
  clock: TestClock;
  ctx: ServiceContext;
  /** Closes the connection (idempotent); the file stays. */
  close(): Promise<void>;
  /** Closes the connection (idempotent) and deletes the folder. */
  dispose(): Promise<void>;
}

export const OFFICE_TZ = 'America/New_York';

/**
 * Users the tests create are hashed at scrypt N = 2^10: a hash at the app's cost (OWASP's N = 2^17)
 * takes 0.3–1 s, and hundreds of tests create users. sign-in.test.ts checks the app's own cost.
 */
export { TEST_PASSWORD_COST };

/**
 * A fresh database file in a fresh folder, with the office time zone set.
 * Default instant: 2026-03-10 15:00 UTC = 11:00 in New York, so "today" is 2026-03-10.
 */
export async function freshDb(options: { at?: string; timeZone?: string; expiringDays?: number } = {}): Promise<TestDb> {
  const dir = tempDir();
  const clock = new TestClock(options.at ?? '2026-03-10T15:00:00Z');
  const db = await openDatabase({ dataDir: dir, now: () => clock.now() });
  await writeSettings(db, { timeZone: options.timeZone ?? OFFICE_TZ, expiringDays: options.expiringDays ?? 30 });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await closeDatabase(db);
  };
  return {
    dir,
    file: databaseFile(dir),
    db,
    clock,
    ctx: { db, clock, passwordCost: TEST_PASSWORD_COST },
    close,
    async dispose() {
      await close();
      removeDir(dir);
    },
  };
}

/** The tables a staff change touches, plus the rest, counted. */
export const TABLES = [
  'contacts',
  'programs',
  'components',
  'users',
  'records',
  'component_progress',
  'record_history',
  'settings',
  'outbox',
  'change_log',
  'saved_filters',
  'user_changes',
] as const;

export type Counts = Record<(typeof TABLES)[number], number>;

export async function countRows(db: Db): Promise<Counts> {
  const counts = {} as Counts;
  for (const table of TABLES) {
    const row = (await db(table).count({ n: '*' }).first()) as { n: number } | undefined;
    counts[table] = Number(row?.n ?? 0);
  }
  return counts;
}

/** Row counts and the full contents of the tables a write would touch, for "nothing changed" checks. */
export async function snapshot(db: Db): Promise<string> {
  const parts: unknown[] = [];
  for (const table of TABLES) {
    parts.push(table, await db(table).select('*').orderByRaw('rowid'));
  }
  return JSON.stringify(parts);
}

/** A change-log row as SQLite returns it (the sync export reads the same rows). */
export type LogEntry = ChangeLogRow;

export async function maxSeq(db: Db): Promise<number> {
  const row = (await db('change_log').max({ m: 'seq' }).first()) as { m: number | null } | undefined;
  return Number(row?.m ?? 0);
}

export async function logSince(db: Db, afterSeq: number): Promise<LogEntry[]> {
  return (await db('change_log').where('seq', '>', afterSeq).orderBy('seq')) as LogEntry[];
}

/** A change-log entry's data is the row as `select *` reads it now: the same fields, values and column order. */
export async function expectLoggedAsStored(db: Db, entry: LogEntry, table: string): Promise<void> {
  const stored = (await db(table).where({ id: entry.entity_id }).first()) as Record<string, unknown>;
  const data = JSON.parse(entry.data) as Record<string, unknown>;
  expect(data, `${entry.entity} ${entry.entity_id}`).toEqual(stored);
  expect(Object.keys(data)).toEqual(Object.keys(stored));
}

export const ONE_COMPONENT: NewComponent[] = [{ name: 'Core Course', kind: 'course', credits: 5, creditUnit: 'hours', required: true }];

export const THREE_COMPONENTS: NewComponent[] = [
  { name: 'Course A', kind: 'course', credits: 4, creditUnit: 'hours', required: true },
  { name: 'Course B', kind: 'course', credits: 4, creditUnit: 'hours', required: true },
  { name: 'Final Exam', kind: 'exam', credits: 0, creditUnit: 'credits', required: true },
  { name: 'Optional Workshop', kind: 'task', credits: 1, creditUnit: 'hours', required: false },
];

let programSerial = 0;

export async function makeProgram(
  ctx: ServiceContext,
  overrides: Partial<NewProgram> = {},
): Promise<{ program: ProgramRow; components: ComponentRow[]; required: ComponentRow[] }> {
  programSerial += 1;
  const program = await createProgram(ctx, {
    code: `P${programSerial}`,
    name: `Program ${programSerial}`,
    requireApproval: false,
    requireCompletionApproval: false,
    expiration: { kind: 'period', amount: 1, unit: 'years' },
    components: THREE_COMPONENTS,
    ...overrides,
  });
  const components = await programComponents(ctx.db, program.id);
  return { program, components, required: components.filter((c) => c.required === 1) };
}

let contactSerial = 0;

export async function makeContact(ctx: ServiceContext, lastName?: string): Promise<ContactRow> {
  contactSerial += 1;
  return createContact(ctx, {
    firstName: `Pat${contactSerial}`,
    lastName: lastName ?? `Member${contactSerial}`,
    email: `pat${contactSerial}@example.org`,
    memberNumber: `T${String(10000 + contactSerial)}`,
  });
}

export async function makeStaff(ctx: ServiceContext, username = 'dana', displayName = 'Dana Staff', role: 'staff' | 'admin' = 'staff'): Promise<Actor> {
  const user = await createUser(ctx, { username, displayName, role, password: 'correct horse battery' });
  return actorOf(user);
}

/** The record drawer's usual moves, named: a status change that first checks where the record stands. */
export const approveApplication = (ctx: ServiceContext, actor: Actor, id: number): Promise<RecordRow> =>
  setStatusFrom(ctx, actor, id, 'Applied', 'In Progress', null);

export const declineApplication = (ctx: ServiceContext, actor: Actor, id: number, reason: string): Promise<RecordRow> =>
  setStatusFrom(ctx, actor, id, 'Applied', 'Declined', reason);

export const renew = (ctx: ServiceContext, actor: Actor, id: number): Promise<RecordRow> => setStatusFrom(ctx, actor, id, 'Expired', 'In Progress', null);

async function setStatusFrom(ctx: ServiceContext, actor: Actor, id: number, from: Status, to: Status, reason: string | null): Promise<RecordRow> {
  const record = await getRecordRow(ctx.db, id);
  if (record.status !== from) throw new ServiceError('REFUSED', `This works on records that are ${from}; this record is ${record.status}.`);
  return setStatus(ctx, actor, { id, to, reason });
}

/** A record's history, oldest first. */
export async function historyOf(db: Db, recordId: number): Promise<HistoryRow[]> {
  return (await db('record_history').where({ record_id: recordId }).orderBy('id')) as HistoryRow[];
}

/**
 * What the list reads instead of the records must be the records' own: the counts per certification and status
 * (record_counts) and each record's kept sort keys (record_sort_keys). Answers the disagreements, in words.
 */
export async function keptListDataProblems(db: Db): Promise<string[]> {
  const counts = (await db.raw(`SELECT r.program_id, r.status, r.n, c.n AS kept
      FROM (SELECT program_id, status, count(*) AS n FROM records GROUP BY 1, 2) r
      LEFT JOIN record_counts c ON c.program_id = r.program_id AND c.status = r.status
     WHERE c.n IS NOT r.n
    UNION ALL
    SELECT c.program_id, c.status, 0, c.n FROM record_counts c
     WHERE c.n <> 0 AND NOT EXISTS (SELECT 1 FROM records r WHERE r.program_id = c.program_id AND r.status = c.status)`)) as Array<{
    program_id: number;
    status: string;
    n: number;
    kept: number | null;
  }>;
  const keys = (await db.raw(`SELECT r.id FROM records r
      JOIN contacts c ON c.id = r.contact_id JOIN programs p ON p.id = r.program_id
      LEFT JOIN record_sort_keys k ON k.record_id = r.id
     WHERE k.record_id IS NULL OR k.status IS NOT r.status OR k.program_id IS NOT r.program_id OR k.email IS NOT c.email OR k.certification IS NOT p.name
    UNION ALL
    SELECT k.record_id FROM record_sort_keys k WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.id = k.record_id)
    LIMIT 5`)) as Array<{ id: number }>;
  return [
    ...counts.map((c) => `record_counts says ${c.kept ?? 'nothing'} for certification ${c.program_id} / ${c.status}, the records say ${c.n}`),
    ...keys.map((k) => `the kept sort keys of record ${k.id} are not the record's`),
  ];
}
