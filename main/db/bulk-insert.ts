import type { Knex } from 'knex';

/** Rows per statement. */
export const BULK_ROWS = 5000;

/**
 * Inserts many rows with one statement per BULK_ROWS: the rows travel as one
 * bound JSON value that SQLite unpacks in order (`jsonb_each`), which is many
 * times faster than knex building, and node-sqlite3 binding, thousands of
 * separate values. Values are never part of the SQL text; the table and column
 * names (from the code, never from input) are bound as identifiers. Every row
 * must have the same keys. With `returning: true`, answers the stored rows in
 * id order; with `returning: 'id'`, only their ids (no row crosses back into
 * JavaScript, which costs more than the insert for wide rows).
 */
export async function bulkInsert<T extends { id: number }>(
  trx: Knex,
  table: string,
  rows: ReadonlyArray<Record<string, unknown>>,
  options: { returning: true },
): Promise<T[]>;
export async function bulkInsert(trx: Knex, table: string, rows: ReadonlyArray<Record<string, unknown>>, options: { returning: 'id' }): Promise<number[]>;
export async function bulkInsert(trx: Knex, table: string, rows: ReadonlyArray<Record<string, unknown>>, options?: { returning: false }): Promise<void>;
export async function bulkInsert<T extends { id: number }>(
  trx: Knex,
  table: string,
  rows: ReadonlyArray<Record<string, unknown>>,
  options: { returning: boolean | 'id' } = { returning: false },
): Promise<T[] | number[] | void> {
  const first = rows[0];
  if (!first) return options.returning ? [] : undefined;
  const columns = Object.keys(first);
  const returning = options.returning === 'id' ? ' RETURNING id' : options.returning ? ' RETURNING *' : '';
  const sql = `INSERT INTO ?? (${columns.map(() => '??').join(', ')}) SELECT ${columns.map((_, i) => `value->>${i}`).join(', ')} FROM jsonb_each(?)${returning}`;
  const stored: T[] = [];
  for (let i = 0; i < rows.length; i += BULK_ROWS) {
    // Booleans as SQLite stores them (0/1), as knex would bind them.
    const values = rows.slice(i, i + BULK_ROWS).map((row) => {
      if (Object.keys(row).length !== columns.length) throw new Error(`bulkInsert into ${table}: every row must have the columns ${columns.join(', ')}.`);
      return columns.map((c) => (typeof row[c] === 'boolean' ? Number(row[c]) : (row[c] ?? null)));
    });
    const result: unknown = await trx.raw(sql, [table, ...columns, JSON.stringify(values)]);
    if (options.returning) stored.push(...(result as T[]));
  }
  if (!options.returning) return undefined;
  const sorted = stored.sort((a, b) => a.id - b.id);
  return options.returning === 'id' ? sorted.map((row) => row.id) : sorted;
}
