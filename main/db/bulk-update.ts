import type { Knex } from 'knex';
import { BULK_ROWS } from './bulk-insert';

/**
 * Updates many rows by id, each with values of its own, in one statement per
 * set of columns (and per BULK_ROWS rows): the rows travel as one bound JSON
 * value (`UPDATE … FROM json_each`), where one statement per distinct patch
 * costs a round trip each (an import's 15,000 records with their own dates
 * took 15,000 statements). Rows of a statement are written in id order (the
 * table's pages in order). Values are never part of the SQL text; the table
 * and column names (from the code, never from input) are bound as
 * identifiers. A row listed twice with the same columns: the last one counts.
 */
export async function bulkUpdate(trx: Knex, table: string, rows: ReadonlyArray<{ id: number } & Record<string, unknown>>): Promise<void> {
  const groups = new Map<string, { columns: string[]; byId: Map<number, unknown[]> }>();
  for (const row of rows) {
    const columns = Object.keys(row).filter((c) => c !== 'id' && row[c] !== undefined);
    if (columns.length === 0) continue;
    const key = columns.join('\u0000');
    const group = groups.get(key) ?? { columns, byId: new Map<number, unknown[]>() };
    // Booleans as SQLite stores them (0/1), as knex would bind them.
    group.byId.set(
      row.id,
      columns.map((c) => (typeof row[c] === 'boolean' ? Number(row[c]) : (row[c] ?? null))),
    );
    groups.set(key, group);
  }
  for (const { columns, byId } of groups.values()) {
    const sql = `UPDATE ?? SET ${columns.map((_, i) => `?? = j.value ->> ${i + 1}`).join(', ')} FROM json_each(?) AS j WHERE ??.id = j.value ->> 0`;
    const ordered = [...byId].sort(([a], [b]) => a - b).map(([id, values]) => [id, ...values]);
    for (let i = 0; i < ordered.length; i += BULK_ROWS) {
      await trx.raw(sql, [table, ...columns, JSON.stringify(ordered.slice(i, i + BULK_ROWS)), table]);
    }
  }
}
