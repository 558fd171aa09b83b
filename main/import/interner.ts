/**
 * One copy of each repeated value in a kept plan (import preview → apply): the same dates, sources, rules
 * and component lists come back on thousands of a file's lines, and each line's own copy cost the plan
 * tens of bytes per value (issue #17: the process's memory after a job).
 */
export class Interner {
  private readonly texts = new Map<string, string>();
  private readonly lists = new Map<string, readonly unknown[]>();

  /** The first copy of this text (or null) seen. */
  text<T extends string | null>(value: T): T {
    if (value === null) return value;
    const known = this.texts.get(value);
    if (known !== undefined) return known as T;
    this.texts.set(value, value);
    return value;
  }

  /** The first list seen with the same key (e.g. the ids of its items). */
  list<T>(key: string, items: readonly T[]): readonly T[] {
    const known = this.lists.get(key) as readonly T[] | undefined;
    if (known !== undefined) return known;
    this.lists.set(key, items);
    return items;
  }
}

/**
 * `fn` computed once per distinct argument, for the length of one planned file: a file repeats the
 * same few statuses, dates and codes on thousands of lines (issue #15). `fn` must be pure.
 */
export function memoized<A, R>(fn: (arg: A) => R): (arg: A) => R {
  const known = new Map<A, R>();
  return (arg) => {
    if (known.has(arg)) return known.get(arg) as R;
    const value = fn(arg);
    known.set(arg, value);
    return value;
  };
}
