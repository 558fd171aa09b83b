import type { Knex } from 'knex';
import { BULK_ROWS } from './bulk-insert';

/** SQLite's limit on bound values per statement (SQLITE_MAX_VARIABLE_NUMBER), with room to spare. */
const MAX_BOUND_VALUES = 30_000;

/**
 * Updates many rows by id, each with values of its own, in one statement per
 * set of columns (and per BULK_ROWS rows), where one statement per distinct
 * patch costs a round trip each (an import's 15,000 records with their own
 * dates took 15,000 statements). Rows of a statement are written in id order
 * (the table's pages in order). Values are never part of the SQL text; the
 * table and column names (from the code, never from input) are bound as
 * identifiers. A row listed twice with the same columns: the last one counts.
 *
 * The rows travel as bound VALUES, and the statement is `UPDATE OR FAIL` with
 * no function call in it: SQLite then keeps no statement journal (a copy of
 * every page the statement changes, written to a temporary file so that a
 * failed statement could be undone alone), which was a fifth of a bulk status
 * change's time. Any function (`->>` on a bound JSON value, as before) may
 * raise an error and makes SQLite keep one. A statement that fails keeps its
 * earlier rows' changes: every caller writes inside a transaction that a
 * failure rolls back whole (the record writer's one path).
 */
export async function bulkUpdate(trx: Knex, table: string, rows: ReadonlyArray<{ id: number } & Record<string, unknown>>): Promise<void> {
  const groups = new Map<string, { columns: string[]; byId: Map<number, Knex.Value[]> }>();
  for (const row of rows) {
    const columns = Object.keys(row).filter((c) => c !== 'id' && row[c] !== undefined);
    if (columns.length === 0) continue;
    const key = columns.join('\u0000');
    const group = groups.get(key) ?? { columns, byId: new Map<number, Knex.Value[]>() };
    // Booleans as SQLite stores them (0/1), as knex would bind them.
    group.byId.set(
      row.id,
      columns.map((c) => (typeof row[c] === 'boolean' ? Number(row[c]) : ((row[c] ?? null) as Knex.Value))),
    );
    groups.set(key, group);
  }
  for (const { columns, byId } of groups.values()) {
    const perStatement = Math.min(BULK_ROWS, Math.floor(MAX_BOUND_VALUES / (columns.length + 1)));
    const set = columns.map((_, i) => `?? = v.column${i + 2}`).join(', ');
    const tuple = `(${Array(columns.length + 1)
      .fill('?')
      .join(', ')})`;
    const ordered = [...byId].sort(([a], [b]) => a - b);
    for (let i = 0; i < ordered.length; i += perStatement) {
      const slice = ordered.slice(i, i + perStatement);
      const sql = `UPDATE OR FAIL ?? SET ${set} FROM (VALUES ${Array(slice.length).fill(tuple).join(', ')}) AS v WHERE ??.id = v.column1`;
      await trx.raw(sql, [table, ...columns, ...slice.flatMap(([id, values]) => [id, ...values]), table]);
    }
  }
}
