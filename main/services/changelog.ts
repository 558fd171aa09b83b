import { bulkInsert } from '../db/bulk-insert';
import type { Executor } from './context';

/** Entities the sync export hands to the central system (SPEC.md §5). */
export type Entity = 'contact' | 'program' | 'component' | 'record' | 'progress' | 'history' | 'outbox';

export interface Change {
  entity: Entity;
  entityId: number;
  op: 'insert' | 'update';
  data: object;
}

/**
 * Appends changes to the change log. Always called inside the transaction of
 * the change itself, so the log and the data can never disagree.
 */
export async function logChanges(trx: Executor, changes: readonly Change[], at: string): Promise<void> {
  await bulkInsert(
    trx,
    'change_log',
    changes.map((c) => ({ entity: c.entity, entity_id: c.entityId, op: c.op, data: JSON.stringify(c.data), at })),
  );
}

/** Change-log entries for rows that carry their own id. */
export function changesFor(entity: Entity, op: Change['op'], rows: ReadonlyArray<{ id: number }>): Change[] {
  return rows.map((row) => ({ entity, entityId: row.id, op, data: row }));
}
