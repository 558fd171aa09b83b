/** The Tracking page's queries: one page of certification records, and the Quick Filter counts. */
import type { Knex } from 'knex';
import { STATUSES, type Status } from '../rules/statuses';
import { applyFilterTree } from '../filters/compile';
import type { FilterTree } from '../filters/fields';
import type { CalendarDate } from '../rules/calendar';
import { whereNameMatches } from './contacts';
import type { Executor } from './context';

export const SORT_COLUMNS = {
  contactName: 'r.sort_name',
  email: 'c.email',
  certification: 'p.name',
  status: 'r.status',
  progress: 'r.required_done',
  appliedOn: 'r.applied_on',
  startedOn: 'r.started_on',
  completedOn: 'r.completed_on',
  expiresOn: 'r.expires_on',
  updatedAt: 'r.updated_at',
} as const;

export type SortColumn = keyof typeof SORT_COLUMNS;

export type QuickFilter = { kind: 'all' } | { kind: 'status'; status: Status } | { kind: 'program'; programId: number };

export interface TrackingQuery {
  quick: QuickFilter;
  /** The Customize Filter tree, already validated against the allow-list. */
  filter?: FilterTree | null;
  /** Contact name search from the list's search box. */
  search?: string;
  /** The office's today, for relative dates ("in the next 30 days"). */
  today: CalendarDate;
  sort: { column: SortColumn; direction: 'asc' | 'desc' };
  page: number;
  pageSize: number;
}

export interface TrackingRow {
  id: number;
  contactId: number;
  contactName: string;
  email: string;
  programId: number;
  certification: string;
  status: Status;
  requiredDone: number;
  requiredTotal: number;
  appliedOn: string | null;
  startedOn: string | null;
  completedOn: string | null;
  expiresOn: string | null;
  updatedAt: string;
}

export function applyQuickFilter(q: Knex.QueryBuilder, quick: QuickFilter): Knex.QueryBuilder {
  if (quick.kind === 'status') return q.where('r.status', quick.status);
  if (quick.kind === 'program') return q.where('r.program_id', quick.programId);
  return q;
}

export type Selection = Pick<TrackingQuery, 'quick' | 'filter' | 'search' | 'today'>;

/** The records the list shows for a Quick Filter, a Customize Filter and a name search, combined with AND. */
export function matching(db: Executor, query: Selection): Knex.QueryBuilder {
  let q = applyQuickFilter(db('records as r'), query.quick);
  if (query.filter) q = applyFilterTree(q, query.filter, query.today);
  const search = query.search?.trim() ?? '';
  if (search !== '') q = whereNameMatches(q, 'r.sort_name', search);
  return q;
}

export async function listTracking(db: Executor, query: TrackingQuery): Promise<{ rows: TrackingRow[]; total: number }> {
  const base = matching(db, query);
  const total = query.filter || query.search?.trim() ? await countMatching(base) : await countQuick(db, query.quick);
  const column = SORT_COLUMNS[query.sort.column];
  // First the page's ids from the records alone, so SQLite can walk a sort index and stop
  // after the page; then the page's rows with their contact and certification.
  const idQuery = base.clone().select('r.id');
  if (column.startsWith('c.')) void idQuery.join('contacts as c', 'c.id', 'r.contact_id');
  if (column.startsWith('p.')) void idQuery.join('programs as p', 'p.id', 'r.program_id');
  const ids = ((await idQuery
    // Empty dates sort last either way; the id keeps the order stable between pages.
    .orderByRaw('?? is null', [column])
    .orderBy(column, query.sort.direction)
    .orderBy('r.id', query.sort.direction)
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize)) as unknown as Array<{ id: number }>).map((r) => r.id);
  if (ids.length === 0) return { rows: [], total };
  const found: TrackingRow[] = await db('records as r')
    .join('contacts as c', 'c.id', 'r.contact_id')
    .join('programs as p', 'p.id', 'r.program_id')
    .whereIn('r.id', ids)
    .select(
      'r.id',
      'r.contact_id as contactId',
      db.raw("c.first_name || ' ' || c.last_name as contactName"),
      'c.email',
      'r.program_id as programId',
      'p.name as certification',
      'r.status',
      'r.required_done as requiredDone',
      'r.required_total as requiredTotal',
      'r.applied_on as appliedOn',
      'r.started_on as startedOn',
      'r.completed_on as completedOn',
      'r.expires_on as expiresOn',
      'r.updated_at as updatedAt',
    );
  const byId = new Map(found.map((r) => [r.id, r]));
  const rows = ids.flatMap((id) => byId.get(id) ?? []);
  return { rows, total };
}

async function countMatching(q: Knex.QueryBuilder): Promise<number> {
  const row = (await q.clone().count({ n: '*' }).first()) as { n: number } | undefined;
  return Number(row?.n ?? 0);
}

/** A plain Quick Filter's total, from the counts kept by triggers (migration 003) instead of a count over every record. */
async function countQuick(db: Executor, quick: QuickFilter): Promise<number> {
  const q = db('record_counts').sum({ n: 'n' });
  if (quick.kind === 'status') void q.where('status', quick.status);
  if (quick.kind === 'program') void q.where('program_id', quick.programId);
  const row = (await q.first()) as { n: number | null } | undefined;
  return Number(row?.n ?? 0);
}

export interface TrackingCounts {
  all: number;
  byStatus: Record<Status, number>;
  byProgram: Array<{ id: number; name: string; count: number; archived: boolean }>;
}

export async function trackingCounts(db: Executor): Promise<TrackingCounts> {
  const counts: Array<{ program_id: number; status: Status; n: number }> = await db('record_counts').select('program_id', 'status', 'n');
  const programs = (await db('programs').select('id', 'name', 'archived_at').orderBy('name')) as Array<{ id: number; name: string; archived_at: string | null }>;
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const byProgramId = new Map<number, number>();
  for (const c of counts) {
    byStatus[c.status] += Number(c.n);
    byProgramId.set(c.program_id, (byProgramId.get(c.program_id) ?? 0) + Number(c.n));
  }
  return {
    all: Object.values(byStatus).reduce((a, b) => a + b, 0),
    byStatus,
    byProgram: programs.map((p) => ({ id: p.id, name: p.name, count: byProgramId.get(p.id) ?? 0, archived: p.archived_at !== null })),
  };
}
