/**
 * The one matcher of every import: which stored row a file's line or a
 * central change is about. By central id first; else by the natural key (a
 * contact's member number, a program's code), which links a stored row that
 * has no central id yet; else the row is new. A natural key held by another
 * row, or a key that links to a row with another central id, is a conflict
 * said in words. Each stored row is claimed by one line of an import only.
 */
export interface Matchable {
  id: number;
  central_id: string | null;
}

export interface MatchWords<T> {
  /** "Member number", "Code". */
  key: string;
  /** "contact", "certification". */
  noun: string;
  name: (row: T) => string;
}

export type Match<T> = { row: T | null; linked: boolean } | { conflict: string };

export class Matcher<T extends Matchable> {
  private readonly byCentral = new Map<string, T>();
  private readonly byKey = new Map<string, T>();
  private readonly claims = new Map<number, string | number>();

  constructor(
    rows: Iterable<T>,
    private readonly keyOf: (row: T) => string | null,
    private readonly words: MatchWords<T>,
  ) {
    for (const row of rows) this.add(row);
  }

  /** Indexes a row (stored, or planned by this import: it then holds its keys for the lines after it). */
  add(row: T): void {
    if (row.central_id !== null) this.byCentral.set(row.central_id, row);
    const key = this.keyOf(row);
    if (key !== null) this.byKey.set(key, row);
  }

  /** A planned update gives a row a central id and may move its natural key. */
  rekey(row: T, centralId: string, key?: { from: string | null; to: string | null }): void {
    this.byCentral.set(centralId, row);
    if (!key) return;
    if (key.from !== null && this.byKey.get(key.from)?.id === row.id) this.byKey.delete(key.from);
    if (key.to !== null) this.byKey.set(key.to, row);
  }

  holderOf(key: string): T | undefined {
    return this.byKey.get(key);
  }

  /** The row a line with these keys is about (null: new), or why it cannot be matched. */
  match(centralId: string | undefined, key: string | undefined): Match<T> {
    const { words } = this;
    let row: T | undefined;
    let linked = false;
    if (centralId !== undefined) {
      row = this.byCentral.get(centralId);
      if (!row && key !== undefined) {
        const holder = this.byKey.get(key);
        if (holder && holder.central_id !== null) {
          return { conflict: `${words.key} ${key} belongs to ${words.name(holder)}, whose central ID is ${holder.central_id}, not ${centralId}.` };
        }
        row = holder;
        linked = holder !== undefined;
      }
    } else if (key !== undefined) {
      row = this.byKey.get(key);
    }
    if (key !== undefined) {
      const holder = this.byKey.get(key);
      if (holder && holder.id !== row?.id) {
        return {
          conflict: `${words.key} ${key} belongs to another ${words.noun}, ${words.name(holder)}${holder.central_id !== null ? ` (central ID ${holder.central_id})` : ''}.`,
        };
      }
    }
    return { row: row ?? null, linked };
  }

  /** Claims a stored row for `by` (a line, a central id); answers who claimed it before, if another. */
  claim(row: T, by: string | number): string | number | undefined {
    const before = this.claims.get(row.id);
    if (before !== undefined && before !== by) return before;
    this.claims.set(row.id, by);
    return undefined;
  }
}
