/**
 * Items grouped by a key (a record's id, say), each group in the items' order, the groups in the order
 * their first item comes: the one grouping of completions, CE activities and credit rows per record.
 */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
