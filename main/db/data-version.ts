import type { Db } from './database';

/**
 * A token that is equal between two reads only if nothing was written in
 * between: changes on this connection (`total_changes()`) and commits by any
 * other connection (`PRAGMA data_version`). Both counters belong to the
 * connection: the writer's pool (database.ts) and the reader's (reader.ts) each
 * hold exactly one for the life of their object, so every caller of one object
 * sees the same counters; compare tokens of the same object only (list totals
 * are kept per object). A new connection would restart them and could repeat a
 * token. Reads that depend on the data may be kept while the token is unchanged.
 */
export async function dataVersion(db: Db): Promise<string> {
  const row: { c: number; d: number } | undefined = await db.first(
    db.raw('total_changes() as c'),
    db.raw('(select data_version from pragma_data_version) as d'),
  );
  return `${row?.c}:${row?.d}`;
}
