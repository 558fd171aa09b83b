/**
 * What the batch planners (one per entity) share: the writes they plan, the
 * tallies they count into, and how a change's data is compared with a stored row.
 */
import { z } from 'zod';
import type { ImportedEntity, Located } from './batch-folder';
import { Tally, type FieldChange } from './result';

export type Op =
  | { entity: 'contact'; kind: 'insert'; ref: number; row: Record<string, unknown> }
  | { entity: 'contact'; kind: 'update'; id: number; patch: Record<string, unknown> }
  | { entity: 'program'; kind: 'insert'; ref: number; row: Record<string, unknown> }
  | { entity: 'program'; kind: 'update'; id: number; patch: Record<string, unknown> }
  | { entity: 'component'; kind: 'insert'; centralId: string; programRef: number; row: Record<string, unknown> }
  | { entity: 'component'; kind: 'update'; id: number; centralId: string; programRef: number | null; patch: Record<string, unknown> };

/** Where a listed row of a batch import stands. */
export interface BatchRejectedAt {
  /** `<batch>/changes-<entity>.jsonl` */
  file: string;
}
export interface BatchChangeAt {
  file: string;
  entity: CountedKind;
}

/** What an import counts: each entity it takes, and CE activities (completion events that name a CE category) apart. */
export type CountedKind = ImportedEntity | 'activity';

/** The change a rejection names: a CE activity is a completion event. */
const CHANGE_OF: Record<CountedKind, ImportedEntity> = {
  contact: 'contact',
  program: 'program',
  component: 'component',
  application: 'application',
  completion: 'completion',
  activity: 'completion',
};

/** The plan being built: one tally per entity counting into the total, and the writes in plan order. */
export class BatchPlanning {
  readonly total = new Tally<BatchRejectedAt, BatchChangeAt>();
  readonly tallies: Record<CountedKind, Tally<BatchRejectedAt, BatchChangeAt>> = {
    contact: new Tally(this.total),
    program: new Tally(this.total),
    component: new Tally(this.total),
    application: new Tally(this.total),
    completion: new Tally(this.total),
    activity: new Tally(this.total),
  };
  readonly ops: Op[] = [];
  private refs = 0;

  /** A negative id for a planned insert: its rows refer to it until it has an id. */
  nextRef(): number {
    return ++this.refs;
  }

  reject(entity: CountedKind, at: Located, reason: string): void {
    this.tallies[entity].reject(at.line, `${CHANGE_OF[entity]} ${at.change.id}: ${reason}`, { file: at.file });
  }

  count(entity: CountedKind, kind: 'new' | 'changed' | 'unchanged', at: Located, label: string, fields: FieldChange[]): void {
    this.tallies[entity].count(kind, at.line, label, fields, { file: at.file, entity });
  }
}

export const flag = z.union([z.boolean(), z.literal(0), z.literal(1)]).transform((v) => v === true || v === 1);
export const timestamp = z.string().max(40).nullable();

export function zodReason(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'data'}: ${i.message}`)
    .join('; ');
}

function show(value: unknown): string {
  return value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

/** Fields of `next` that differ from `current`, as a patch and as words. */
export function diff(current: Record<string, unknown>, next: Record<string, unknown>): { patch: Record<string, unknown>; fields: FieldChange[] } {
  const patch: Record<string, unknown> = {};
  const fields: FieldChange[] = [];
  for (const [key, value] of Object.entries(next)) {
    if (value === undefined) continue;
    const now = current[key];
    const same = typeof value === 'boolean' ? (now === 1 || now === true) === value : now === value;
    if (same) continue;
    patch[key] = value;
    fields.push({ field: key, from: show(typeof value === 'boolean' && typeof now === 'number' ? now === 1 : now), to: show(value) });
  }
  return { patch, fields };
}
