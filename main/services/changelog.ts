import { BULK_ROWS, bulkInsert } from '../db/bulk-insert';
import type { Executor } from './context';

/** Entities the sync export hands to the central system (SPEC.md §5). */
export type Entity = 'contact' | 'program' | 'component' | 'record' | 'progress' | 'history' | 'outbox' | 'activity';

export interface Change {
  entity: Entity;
  entityId: number;
  op: 'insert' | 'update';
  data: object;
}

/**
 * Appends changes to the change log. Always called inside the transaction of
 * the change itself, so the log and the data can never disagree.
 */
export async function logChanges(trx: Executor, changes: readonly Change[], at: string): Promise<void> {
  await bulkInsert(
    trx,
    'change_log',
    changes.map((c) => ({ entity: c.entity, entity_id: c.entityId, op: c.op, data: JSON.stringify(c.data), at })),
  );
}

/** Each logged table's columns as `json_object` arguments: the schema is fixed once migrations ran, so read once per table. */
const objectArgs = new Map<string, { sql: string; names: string[] }>();

async function jsonObjectArgs(trx: Executor, table: string): Promise<{ sql: string; names: string[] }> {
  const known = objectArgs.get(table);
  if (known) return known;
  const info: Array<{ name: string; type: string }> = await trx.raw('SELECT name, type FROM pragma_table_info(?) ORDER BY cid', [table]);
  // A column of TEXT affinity never holds a REAL (SQLite stores numbers there as text).
  const holdsText = (type: string): boolean => /CHAR|CLOB|TEXT/i.test(type);
  // A whole number goes as an integer: printf shortens some above 1.5e17 even at 17 digits.
  const real = "CASE WHEN typeof(t.??) <> 'real' THEN t.?? WHEN t.?? = cast(t.?? AS integer) THEN cast(t.?? AS integer) ELSE json(printf('%!.17g', t.??)) END";
  const args = {
    sql: info.map((c) => `?, ${holdsText(c.type) ? 't.??' : real}`).join(', '),
    names: info.flatMap((c) => Array<string>(holdsText(c.type) ? 2 : 7).fill(c.name)),
  };
  objectArgs.set(table, args);
  return args;
}

/**
 * Logs rows as they are stored now, by id, in the order given: SQLite reads
 * each row and writes it as the entry's JSON (`json_object` over the table's
 * columns, in table order — the same object `changesFor` makes of a `select *`
 * row), so no row crosses into JavaScript. A REAL value is written with 17
 * significant digits, or as the integer it is, since json_object's own 15
 * digits would round it (0.1 + 0.2 would come back as 0.3). Column names come
 * from the schema and are bound as identifiers, never spliced in. A record
 * changed twice in one batch is logged twice, both times as it ends.
 */
export async function logStoredRows(trx: Executor, table: string, entity: Entity, op: Change['op'], ids: readonly number[], at: string): Promise<void> {
  if (ids.length === 0) return;
  const args = await jsonObjectArgs(trx, table);
  const sql = `INSERT INTO change_log (entity, entity_id, op, data, at)
    SELECT ?, t.id, ?, json_object(${args.sql}), ? FROM jsonb_each(?) AS j JOIN ?? AS t ON t.id = j.value ORDER BY j.key RETURNING seq`;
  for (let i = 0; i < ids.length; i += BULK_ROWS) {
    const part = ids.slice(i, i + BULK_ROWS);
    const logged = (await trx.raw(sql, [entity, op, ...args.names, at, JSON.stringify(part), table])) as unknown[];
    if (logged.length !== part.length) throw new Error(`Logging ${part.length} ${table} rows found ${logged.length}: a row to log is missing.`);
  }
}

/** Change-log entries for rows that carry their own id. */
export function changesFor(entity: Entity, op: Change['op'], rows: ReadonlyArray<{ id: number }>): Change[] {
  return rows.map((row) => ({ entity, entityId: row.id, op, data: row }));
}
