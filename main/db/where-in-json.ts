import type { Knex } from 'knex';

/**
 * `column IN (values)` with the values as one bound JSON array that SQLite
 * unpacks (`json_each`): one statement for any number of values, where
 * knex's whereIn binds one variable each and must be chunked below SQLite's
 * limit. The column name is bound as an identifier.
 */
export function whereInJson(q: Knex.QueryBuilder, column: string, values: ReadonlyArray<string | number>, combine: 'and' | 'or' = 'and'): Knex.QueryBuilder {
  const bindings = [column, JSON.stringify(values)];
  const sql = '?? IN (SELECT value FROM json_each(?))';
  return combine === 'or' ? q.orWhereRaw(sql, bindings) : q.whereRaw(sql, bindings);
}
