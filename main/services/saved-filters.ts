/** Named Customize Filters: saved as the JSON tree (never as SQL), reapplied, renamed, deleted. */
import { ServiceError, stamp, type Actor, type ServiceContext } from './context';

export interface SavedFilter {
  id: number;
  name: string;
  tree: unknown;
  updatedAt: string;
}

interface Row {
  id: number;
  name: string;
  tree: string;
  updated_at: string;
}

const toSaved = (r: Row): SavedFilter => ({ id: r.id, name: r.name, tree: JSON.parse(r.tree) as unknown, updatedAt: r.updated_at });

export async function listSavedFilters(ctx: ServiceContext): Promise<SavedFilter[]> {
  return ((await ctx.db('saved_filters').orderBy('name')) as Row[]).map(toSaved);
}

async function nameFree(ctx: ServiceContext, name: string, exceptId: number | null): Promise<void> {
  const taken = (await ctx.db('saved_filters').where({ name }).first()) as Row | undefined;
  if (taken && taken.id !== exceptId) throw new ServiceError('CONFLICT', `A filter named “${name}” already exists; choose another name.`, 'name');
}

/** Saves a new named filter; names are unique. */
export async function saveFilter(ctx: ServiceContext, actor: Actor, input: { name: string; tree: unknown }): Promise<SavedFilter> {
  const name = input.name.trim();
  await nameFree(ctx, name, null);
  const [row] = (await ctx
    .db('saved_filters')
    .insert({ name, tree: JSON.stringify(input.tree), created_by: actor.id, updated_at: stamp(ctx) })
    .returning('*')) as Row[];
  if (!row) throw new Error('insert returned no row');
  return toSaved(row);
}

export async function updateFilter(ctx: ServiceContext, input: { id: number; name?: string; tree?: unknown }): Promise<SavedFilter> {
  const patch: Partial<Row> = { updated_at: stamp(ctx) };
  if (input.name !== undefined) {
    patch.name = input.name.trim();
    await nameFree(ctx, patch.name, input.id);
  }
  if (input.tree !== undefined) patch.tree = JSON.stringify(input.tree);
  const [row] = (await ctx.db('saved_filters').where({ id: input.id }).update(patch).returning('*')) as Row[];
  if (!row) throw new ServiceError('NOT_FOUND', `Saved filter ${input.id} does not exist.`);
  return toSaved(row);
}

export async function deleteFilter(ctx: ServiceContext, id: number): Promise<void> {
  const n = await ctx.db('saved_filters').where({ id }).delete();
  if (n === 0) throw new ServiceError('NOT_FOUND', `Saved filter ${id} does not exist.`);
}
