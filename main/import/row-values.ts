/** The values of a mapped CSV file's rows, read once in slices: what the work-flow planners start from. */
import { readRowsOnce, type PreparedCsv } from './csv-import';
import type { CsvRow } from './read-csv';
import { cell } from './text';

export interface RowValues<F extends string> {
  /** The row's line, and why it is ragged (its fields are let go: `v` has what the planner reads). */
  row: Pick<CsvRow, 'line' | 'ragged'>;
  /** The non-empty cells of the mapped columns, by field; none for a ragged row. */
  v: Partial<Record<F, string>>;
}

/** Each data row with the values of `fields` its mapped columns hold, in slices (the list keeps answering meanwhile). */
export function rowValues<F extends string>(prepared: PreparedCsv<F>, fields: readonly F[]): Promise<Array<RowValues<F>>> {
  return readRowsOnce(prepared, (row) => {
    const v: Partial<Record<F, string>> = {};
    if (row.ragged === undefined)
      for (const field of fields) {
        const value = cell(row.fields, prepared.map.columns[field]);
        if (value !== undefined) v[field] = value;
      }
    return { row: row.ragged === undefined ? { line: row.line } : { line: row.line, ragged: row.ragged }, v };
  });
}
