/** The Tracking page's queries: one page of certification records, and the Quick Filter counts. */
import type { Knex } from 'knex';
import { STATUSES, type Status } from '../rules/statuses';
import { applyFilterTree, nameContains, testsContact, type ContactTest } from '../filters/compile';
import type { FilterTree } from '../filters/fields';
import type { CalendarDate } from '../rules/calendar';
import { knownTotal } from './list-totals';
import type { Executor } from './context';

/**
 * What each sortable column orders by: a column of the record (`r.`), or a key
 * of the contact or certification kept beside it in `record_sort_keys` (`k.`,
 * migration 006). Each has an index per Quick Filter kind (the query-plan test
 * checks every one).
 */
export const SORT_COLUMNS = {
  contactName: 'r.sort_name',
  email: 'k.email',
  certification: 'k.certification',
  status: 'r.status',
  progress: 'r.required_done',
  appliedOn: 'r.applied_on',
  startedOn: 'r.started_on',
  completedOn: 'r.completed_on',
  expiresOn: 'r.expires_on',
  updatedAt: 'r.updated_at',
  // Kept with each activity change (migration 010); empty when no renewal requirement applies.
  creditsNeeded: 'r.credits_needed',
} as const;

export type SortColumn = keyof typeof SORT_COLUMNS;

/** The sortable columns that may be empty: their empties come last in either direction. */
export const EMPTIABLE_SORTS: ReadonlySet<SortColumn> = new Set(['appliedOn', 'startedOn', 'completedOn', 'expiresOn', 'creditsNeeded']);

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
  /** Renewal credits still needed in the current cycle; null when no requirement applies. */
  creditsNeeded: number | null;
  /** The last day the record is on track with its credits (compare with the office's today); null without a requirement. */
  creditsOnTrackUntil: string | null;
}

/** The Quick Filter on `records as r`, or on the kept sort keys (`record_sort_keys as k`, which copy status and certification). */
export function applyQuickFilter(q: Knex.QueryBuilder, quick: QuickFilter, alias: 'r' | 'k' = 'r'): Knex.QueryBuilder {
  if (quick.kind === 'status') return q.where(`${alias}.status`, quick.status);
  if (quick.kind === 'program') return q.where(`${alias}.program_id`, quick.programId);
  return q;
}

export type Selection = Pick<TrackingQuery, 'quick' | 'filter' | 'search' | 'today' | 'timeZone'>;

/**
 * The records the list shows for a Quick Filter, a Customize Filter and a
 * name search, combined with AND. `how` says how contact conditions are
 * tested (see ContactTest); both forms select the same records.
 */
export function matching(db: Executor, query: Selection, how: ContactTest = 'set', records: Knex.QueryBuilder = db('records as r')): Knex.QueryBuilder {
  // `records`: the same table as `r`, e.g. with the index a count must read (the dashboard's).
  let q = applyQuickFilter(records, query.quick);
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

/**
 * Whether a filtered page can walk the records in list order by the sort's
 * index (migration 006) with a plain ORDER BY: a column of the record, except
 * an emptiable one descending (its order takes two walks, see quickPageIds).
 */
function walkable(sort: TrackingQuery['sort']): boolean {
  return SORT_COLUMNS[sort.column].startsWith('r.') && !(sort.direction === 'desc' && EMPTIABLE_SORTS.has(sort.column));
}

/** A list with a Customize Filter or a name search: its total takes a count (kept by list-totals.ts until a write). */
function isFiltered(query: Selection): boolean {
  return Boolean(query.filter || query.search?.trim());
}

/** What a filtered list's total is kept under: everything that decides which records it holds. */
function selectionKey(query: Selection): string {
  return JSON.stringify([query.quick, query.filter ?? null, query.search?.trim() ?? '', query.today ?? null, query.timeZone ?? null]);
}

/**
 * A page found without its total walks at most this many records per record up to the page's end, and
 * never more than PROBE_MOST: a filter matching one record in 50 or more ("name contains mar": 1 in 27)
 * finds page 1 within 2,500 records (~3 µs each at 1M records); a sparser one gives up after that and
 * is counted (tens of ms at least), so the walk can be sized by the total.
 */
const PROBE_RECORDS_PER_MATCH = 50;
const PROBE_MOST = 5_000;

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
 * 1,000,000) walks at most 5,900 records instead of sorting 25,000. Without
 * the total (null) the walk is a probe of PROBE_RECORDS_PER_MATCH records per
 * record up to the page's end.
 */
async function walkStretch(db: Executor, query: TrackingQuery, total: number | null): Promise<{ stretch: number; inScope: number } | null> {
  if (total === 0 || !walkable(query.sort)) return null;
  if (!(query.filter && testsContact(query.filter)) && nameContains(query.search ?? '') === null) return null;
  const inScope = Number(((await countQuick(db, query.quick).first()) as { n: number | null } | undefined)?.n ?? 0);
  if (total === null) return { stretch: Math.min(inScope, PROBE_RECORDS_PER_MATCH * query.page * query.pageSize, PROBE_MOST), inScope };
  const stretch = Math.ceil((3 * query.page * query.pageSize * inScope) / total);
  return stretch <= 4 * total ? { stretch: Math.min(stretch, inScope), inScope } : null;
}

/** One page of the list, and its total when known without counting (null: ask countTracking). */
export interface TrackingPage {
  rows: TrackingRow[];
  total: number | null;
}

/**
 * A filtered list's total: kept from an earlier count while nothing was written,
 * else counted (the set form, which suits a count) and kept. A plain Quick
 * Filter's total is a read of the counts table: never worth keeping.
 */
export async function countTracking(db: Executor, query: Selection): Promise<number> {
  if (!isFiltered(query)) return Number(((await countQuick(db, query.quick).first()) as { n: number | null } | undefined)?.n ?? 0);
  const kept = await knownTotal(db, selectionKey(query));
  const total = kept.total ?? Number(((await matching(db, query).count({ n: '*' }).first()) as { n: number | null } | undefined)?.n ?? 0);
  kept.remember(total);
  return total;
}

/** The page and its total, counted when not known (what the CSV export and the IPC's tracking.list answer). */
export async function listTracking(db: Executor, query: TrackingQuery): Promise<{ rows: TrackingRow[]; total: number }> {
  // Counted first when filtered: the total decides how the page is found, and it is kept for the page.
  if (isFiltered(query)) await countTracking(db, query);
  const page = await pageTracking(db, query);
  // A write between the count and the page: the total is counted again, as the page saw the data.
  return { rows: page.rows, total: page.total ?? (await countTracking(db, query)) };
}

/**
 * One page of the list. A filtered list whose total is not kept answers its
 * rows without counting them when a short walk in list order finds the page
 * (a broad filter: 390,000 matching records take ~185 ms to count at 1M, the
 * page ~2 ms), its total null; a page that is not full ends the list, so its
 * total is exact and kept. When the walk cannot find the page, the list is
 * counted first, as the total decides how the page is found.
 */
export async function pageTracking(db: Executor, query: TrackingQuery): Promise<TrackingPage> {
  const filtered = isFiltered(query);
  const kept = filtered ? await knownTotal(db, selectionKey(query)) : null;
  let knownCount = kept?.total ?? null;
  if (kept && knownCount !== null) kept.remember(knownCount);
  const offset = (query.page - 1) * query.pageSize;
  const ended = (total: number): TrackingPage => ({ rows: [], total });
  // Nothing matches, or the page lies past the end: no page to look for.
  if (knownCount !== null && offset >= knownCount) return ended(knownCount);

  if (!filtered) {
    const found = await pageOf(db, quickPageIds(db, query), query, countQuick(db, query.quick).as('total'));
    // A Quick Filter's page past the end: the total on its own.
    return { rows: withoutTotal(found), total: found[0] ? Number(found[0].total) : await countTracking(db, query) };
  }

  const walkFor = async (total: number | null): Promise<TrackingRow[] | 'no walk' | 'too few'> => {
    const stretch = await walkStretch(db, query, total);
    if (stretch === null) return 'no walk';
    // Only the first `stretch` records of the Quick Filter in list order (a walk of its index) are tested.
    const walked = inListOrder(applyQuickFilter(db('records as r'), query.quick).select('r.id'), query.sort).limit(stretch.stretch);
    const found = await pageOf(db, pageIds(matching(db, query, 'row').whereIn('r.id', walked), query), query, null);
    // The page is right when full, when the walk passed every record in scope, or when it holds the rest of the total.
    const whole = found.length === query.pageSize || stretch.stretch >= stretch.inScope || (total !== null && found.length >= total - offset);
    return whole ? withoutTotal(found) : 'too few';
  };
  let walked = knownCount === null ? await walkFor(null) : 'no walk';
  if (walked === 'too few') {
    // A sparse filter: counted, so the walk can be sized by its total (or the matches gathered).
    knownCount = await countTracking(db, query);
    if (offset >= knownCount) return ended(knownCount);
  }
  if (typeof walked === 'string' && knownCount !== null) walked = await walkFor(knownCount);
  const rows = typeof walked === 'string' ? withoutTotal(await pageOf(db, pageIds(matching(db, query, 'set'), query), query, null)) : walked;
  let total = knownCount;
  // A page that is not full ends the list (an empty first page: nothing matches): its total is exact, kept like a count.
  if (total === null && rows.length < query.pageSize && (rows.length > 0 || offset === 0)) {
    total = offset + rows.length;
    kept?.remember(total);
  }
  return { rows, total };
}

const withoutTotal = (found: Array<TrackingRow & { total?: number }>): TrackingRow[] => found.map(({ total: _total, ...row }) => row);

/**
 * The ids of a filtered page (`base`, a query over `records as r`), with
 * their sort key, in list order: the kept sort keys joined when the sort
 * needs one, the Quick Filter also on them so SQLite may walk their index.
 */
function pageIds(base: Knex.QueryBuilder, query: TrackingQuery): Knex.QueryBuilder {
  const column = SORT_COLUMNS[query.sort.column];
  if (column.startsWith('k.')) applyQuickFilter(base.join('record_sort_keys as k', 'k.record_id', 'r.id'), query.quick, 'k');
  return inListOrder(base.select('r.id as id', `${column} as sort_key`), query.sort)
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize);
}

/**
 * The ids of a plain Quick Filter's page, with their sort key, each an index
 * walk that stops after the page: a kept key from `record_sort_keys` alone;
 * an emptiable column descending as its filled part walked backwards, then
 * its empty part (`(col IS NULL) = 0 / 1` pick the two halves of its
 * `(col IS NULL, col)` index; the compound's ORDER BY is the list order, which
 * SQLite serves by merging the two walks instead of sorting).
 */
function quickPageIds(db: Executor, query: TrackingQuery): Knex.QueryBuilder {
  const column = SORT_COLUMNS[query.sort.column];
  const offset = (query.page - 1) * query.pageSize;
  if (column.startsWith('k.')) {
    const q = applyQuickFilter(db('record_sort_keys as k'), query.quick, 'k').select('k.record_id as id', `${column} as sort_key`);
    return inListOrder(q, query.sort, 'k.record_id').limit(query.pageSize).offset(offset);
  }
  if (query.sort.direction === 'desc' && EMPTIABLE_SORTS.has(query.sort.column)) {
    const half = (empty: 0 | 1): Knex.QueryBuilder =>
      applyQuickFilter(db('records as r'), query.quick).select('r.id as id', `${column} as sort_key`).whereRaw('(?? is null) = ?', [column, empty]);
    return half(0).unionAll(half(1)).orderBy('sort_key', 'desc').orderBy('id', 'desc').limit(query.pageSize).offset(offset);
  }
  return pageIds(applyQuickFilter(db('records as r'), query.quick), query);
}

/**
 * One page of the records `ids` picks (id and sort key, in list order), with
 * what the list shows: only those rows are joined to their contact and
 * certification. A Quick Filter's total rides along as a column (`totalColumn`): one statement, one trip to SQLite.
 */
async function pageOf(
  db: Executor,
  ids: Knex.QueryBuilder,
  query: TrackingQuery,
  totalColumn: Knex.QueryBuilder | Knex.Raw | null,
): Promise<Array<TrackingRow & { total?: number }>> {
  return (await inListOrder(
    db
      .from(ids.as('page'))
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
        'r.credits_needed as creditsNeeded',
        'r.credits_on_track_until as creditsOnTrackUntil',
        ...(totalColumn ? [totalColumn] : []),
      ),
    query.sort,
    'page.id',
    'page.sort_key',
  )) as Array<TrackingRow & { total?: number }>;
}

/**
 * The list's order: by the column, then the id (stable between pages), both
 * in the sort's direction; empty values last either way (descending, SQL puts
 * NULL last by itself). `key` is the column as the query names it.
 */
function inListOrder(q: Knex.QueryBuilder, sort: TrackingQuery['sort'], id = 'r.id', key: string = SORT_COLUMNS[sort.column]): Knex.QueryBuilder {
  if (sort.direction === 'asc' && EMPTIABLE_SORTS.has(sort.column)) void q.orderByRaw('?? is null', [key]);
  return q.orderBy(key, sort.direction).orderBy(id, sort.direction);
}

/** A plain Quick Filter's total, from the counts kept by triggers (migration 003) instead of a count over every record. */
export function countQuick(db: Executor, quick: QuickFilter): Knex.QueryBuilder {
  const q = db('record_counts').sum({ n: 'n' });
  if (quick.kind === 'status') void q.where('status', quick.status);
  if (quick.kind === 'program') void q.where('program_id', quick.programId);
  return q;
}

export interface TrackingCounts {
  /** The application date of the longest-waiting Applied record. */
  oldestAppliedOn: string | null;
  all: number;
  byStatus: Record<Status, number>;
  byProgram: Array<{ id: number; name: string; count: number; archived: boolean }>;
}

export async function trackingCounts(db: Executor): Promise<TrackingCounts> {
  const counts: Array<{ program_id: number; status: Status; n: number }> = await db('record_counts').select('program_id', 'status', 'n');
  const programs = (await db('programs').select('id', 'name', 'archived_at').orderBy('name')) as Array<{
    id: number;
    name: string;
    archived_at: string | null;
  }>;
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const byProgramId = new Map<number, number>();
  for (const c of counts) {
    byStatus[c.status] += Number(c.n);
    byProgramId.set(c.program_id, (byProgramId.get(c.program_id) ?? 0) + Number(c.n));
  }
  // Action Required says how long the oldest application has waited (read only when there is one).
  const oldest =
    byStatus.Applied > 0
      ? ((await db('records').where({ status: 'Applied' }).min({ on: 'applied_on' }).first()) as { on: string | null } | undefined)
      : undefined;
  return {
    all: Object.values(byStatus).reduce((a, b) => a + b, 0),
    byStatus,
    oldestAppliedOn: oldest?.on ?? null,
    byProgram: programs.map((p) => ({ id: p.id, name: p.name, count: byProgramId.get(p.id) ?? 0, archived: p.archived_at !== null })),
  };
}
