/** The Tracking page's queries: one page of certification records, and the Quick Filter counts. */
import type { Knex } from 'knex';
import { STATUSES, type Status } from '../rules/statuses';
import { applyFilterTree, nameContains, testsContact, type ContactTest } from '../filters/compile';
import type { FilterTree } from '../filters/fields';
import type { CalendarDate } from '../rules/calendar';
import { knownTotal } from './list-totals';
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
  /** The office's today, for a Customize Filter's relative dates ("in the next 30 days"); needed only with a filter. */
  today?: CalendarDate;
  /** The office's time zone: "Last change" is an instant, compared by the office's day (UTC when not given). */
  timeZone?: string;
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

export type Selection = Pick<TrackingQuery, 'quick' | 'filter' | 'search' | 'today' | 'timeZone'>;

/**
 * The records the list shows for a Quick Filter, a Customize Filter and a
 * name search, combined with AND. `how` says how contact conditions are
 * tested (see ContactTest); both forms select the same records.
 */
export function matching(db: Executor, query: Selection, how: ContactTest = 'set'): Knex.QueryBuilder {
  let q = applyQuickFilter(db('records as r'), query.quick);
  if (query.filter) {
    if (query.today === undefined) throw new Error('A Customize Filter needs the office date (today).');
    q = applyFilterTree(q, query.filter, query.today, how, query.timeZone);
  }
  // Through the contacts' name keys (what records.sort_name copies): in the set form a scan
  // of one row per contact instead of one per record, then the records by contact.
  const search = nameContains(query.search ?? '', how);
  if (search) q = q.where((w) => void w.whereRaw(search.sql, search.bindings));
  return q;
}

/** Sort columns every Quick Filter has an ascending index walk for (migration 003). */
const WALKABLE: ReadonlySet<SortColumn> = new Set(['contactName', 'expiresOn']);

/**
 * How many records, in list order, a filtered page may walk before giving up,
 * or null when it should not walk. Walking tests records one by one, each
 * looking up its own contact, and stops after the page; gathering (the set
 * form) collects every match and sorts it. The walk pays only where the filter
 * tests the contact, since otherwise SQLite plans both alike. If the matches
 * are spread along the order, page k lies within k·pageSize·inScope/total
 * records; the walk is given three times that, and only while that stays
 * under four tests per match, so a walk that finds too little (names that sort
 * last, a date range sorted by that date) costs at most about twice the set
 * form it then falls back to. Page 1 of "name contains mar" (25,000 of
 * 1,000,000) walks at most 5,900 records instead of sorting 25,000.
 */
async function walkStretch(db: Executor, query: TrackingQuery, total: number): Promise<number | null> {
  if (total === 0 || query.sort.direction !== 'asc' || !WALKABLE.has(query.sort.column)) return null;
  if (!(query.filter && testsContact(query.filter)) && nameContains(query.search ?? '') === null) return null;
  const inScope = Number(((await countQuick(db, query.quick).first()) as { n: number | null } | undefined)?.n ?? 0);
  const stretch = Math.ceil((3 * query.page * query.pageSize * inScope) / total);
  return stretch <= 4 * total ? Math.min(stretch, inScope) : null;
}

export async function listTracking(db: Executor, query: TrackingQuery): Promise<{ rows: TrackingRow[]; total: number }> {
  const filtered = Boolean(query.filter || query.search?.trim());
  // A filtered list is counted first (with the set form, which suits a count) unless its
  // total is kept from an earlier page: the total decides how the page is found.
  // A plain Quick Filter's total is a read of the counts table: never worth keeping.
  const kept = filtered ? await knownTotal(db, JSON.stringify([query.quick, query.filter ?? null, query.search?.trim() ?? '', query.today ?? null, query.timeZone ?? null])) : null;
  let knownCount = kept?.total ?? null;
  if (kept) {
    knownCount ??= Number(((await matching(db, query).count({ n: '*' }).first()) as { n: number | null } | undefined)?.n ?? 0);
    kept.remember(knownCount);
  }
  const offset = (query.page - 1) * query.pageSize;
  // Nothing matches, or the page lies past the end: no page to look for.
  if (knownCount !== null && offset >= knownCount) return { rows: [], total: knownCount };
  const totalColumn = knownCount === null ? countQuick(db, query.quick).as('total') : db.raw('? as total', [knownCount]);

  let found: Array<TrackingRow & { total: number }> | null = null;
  const stretch = knownCount === null ? null : await walkStretch(db, query, knownCount);
  if (stretch !== null && knownCount !== null) {
    // Only the first `stretch` records of the Quick Filter in list order (a walk of its index) are tested.
    const walked = inListOrder(applyQuickFilter(db('records as r'), query.quick).select('r.id'), SORT_COLUMNS[query.sort.column], 'asc').limit(stretch);
    found = await pageOf(db, matching(db, query, 'row').whereIn('r.id', walked), query, totalColumn);
    if (found.length < Math.min(query.pageSize, knownCount - offset)) found = null;
  }
  found ??= await pageOf(db, matching(db, query, 'set'), query, totalColumn);
  const rows = found.map(({ total: _total, ...row }) => row);
  // A Quick Filter's page past the end: the total on its own.
  const total = found[0] ? Number(found[0].total) : (knownCount ?? Number(((await countQuick(db, query.quick).first()) as { n: number | null } | undefined)?.n ?? 0));
  return { rows, total };
}

/**
 * One page of `base` (a query over `records as r`) with what the list shows. The page's ids
 * come from the records alone, so SQLite can walk a sort index and stop after the page; only
 * those rows are then joined to their contact and certification. The total rides along as a
 * column: one statement, one trip to SQLite.
 */
async function pageOf(db: Executor, base: Knex.QueryBuilder, query: TrackingQuery, totalColumn: Knex.QueryBuilder | Knex.Raw): Promise<Array<TrackingRow & { total: number }>> {
  const column = SORT_COLUMNS[query.sort.column];
  const pageIds = base.select('r.id');
  if (column.startsWith('c.')) void pageIds.join('contacts as c', 'c.id', 'r.contact_id');
  if (column.startsWith('p.')) void pageIds.join('programs as p', 'p.id', 'r.program_id');
  return (await inListOrder(
    db
      .from(inListOrder(pageIds, column, query.sort.direction).limit(query.pageSize).offset((query.page - 1) * query.pageSize).as('page'))
      .join('records as r', 'r.id', 'page.id')
      .join('contacts as c', 'c.id', 'r.contact_id')
      .join('programs as p', 'p.id', 'r.program_id')
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
        totalColumn,
      ),
    column,
    query.sort.direction,
  )) as Array<TrackingRow & { total: number }>;
}

/** The list's order: empty values last either way; the id keeps the order stable between pages. */
function inListOrder(q: Knex.QueryBuilder, column: string, direction: 'asc' | 'desc'): Knex.QueryBuilder {
  return q.orderByRaw('?? is null', [column]).orderBy(column, direction).orderBy('r.id', direction);
}

/** A plain Quick Filter's total, from the counts kept by triggers (migration 003) instead of a count over every record. */
function countQuick(db: Executor, quick: QuickFilter): Knex.QueryBuilder {
  const q = db('record_counts').sum({ n: 'n' });
  if (quick.kind === 'status') void q.where('status', quick.status);
  if (quick.kind === 'program') void q.where('program_id', quick.programId);
  return q;
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
