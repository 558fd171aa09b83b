/** Header mapping: which column of a CSV holds each field an import fills. */
import type { FileError } from './result';

/** "First Name", "first_name", "FIRST-NAME" → "firstname"; "Prénom" → "prenom" (accents dropped). */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLocaleLowerCase('und')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

export interface MappingResult<F extends string> {
  mapping: Partial<Record<F, string>>;
  /** Column index of each mapped field. */
  columns: Partial<Record<F, number>>;
  unmappedHeaders: string[];
}

/**
 * Our fields → columns: the caller's mapping where given, else the header
 * whose normalised name is one of the field's synonyms. Refuses two headers
 * that could be the same field ("Last Name" and "Surname"), a mapping to a
 * header that is not there, a header used twice, a header that appears in two
 * columns, and a required field with no column.
 */
export function resolveMapping<F extends string>(
  headers: readonly string[],
  fields: readonly F[],
  synonyms: Record<F, readonly string[]>,
  labels: Record<F, string>,
  required: readonly F[],
  given: Partial<Record<F, string | null>> = {},
): MappingResult<F> | { error: FileError } {
  const mapping: Partial<Record<F, string>> = {};
  const columns: Partial<Record<F, number>> = {};
  const used = new Map<number, F>();
  const take = (field: F, index: number): FileError | null => {
    const other = used.get(index);
    if (other !== undefined)
      return { line: 1, reason: `The column "${headers[index] ?? ''}" is mapped to both ${labels[other]} and ${labels[field]}; map it to one field.` };
    used.set(index, field);
    mapping[field] = headers[index] ?? '';
    columns[field] = index;
    return null;
  };
  for (const key of Object.keys(given)) {
    if (!(fields as readonly string[]).includes(key)) return { error: { line: 1, reason: `There is no field "${key}" to map a column to.` } };
  }
  // The caller's choices first, so detection never takes a column they mapped elsewhere.
  for (const field of fields) {
    const header = given[field];
    if (header === undefined || header === null) continue;
    const indexes = headers.flatMap((h, i) => (h === header ? [i] : []));
    if (indexes.length === 0)
      return { error: { line: 1, reason: `${labels[field]} is mapped to the column "${header}", but the header row has no such column.` } };
    if (indexes.length > 1) return { error: { line: 1, reason: `The header row has the column "${header}" ${indexes.length} times; rename one of them.` } };
    const problem = take(field, indexes[0] as number);
    if (problem) return { error: problem };
  }
  const normalized = headers.map(normalizeHeader);
  for (const field of fields) {
    if (given[field] !== undefined) continue;
    // Every column that could be this field: two ("Last Name" and "Surname") are a question only the user can answer.
    const indexes = normalized.flatMap((h, i) => (synonyms[field].includes(h) && !used.has(i) ? [i] : []));
    if (indexes.length === 0) continue;
    if (indexes.length > 1) {
      return {
        error: {
          line: 1,
          reason: `The header row has ${indexes.length} columns that could be ${labels[field]} (${indexes.map((i) => `"${headers[i] ?? ''}"`).join(', ')}); map one of them.`,
        },
      };
    }
    const problem = take(field, indexes[0] as number);
    if (problem) return { error: problem };
  }
  for (const field of required) {
    if (columns[field] === undefined) {
      return { error: { line: 1, reason: `No column holds ${labels[field]}. Map one of the columns (${headers.map((h) => `"${h}"`).join(', ')}) to it.` } };
    }
  }
  const unmappedHeaders = headers.filter((_, i) => !used.has(i));
  return { mapping, columns, unmappedHeaders };
}
