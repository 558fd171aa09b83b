/**
 * The reference receiver: loads a folder of sync batches into PostgreSQL.
 * Each batch is verified first (one that does not verify is refused whole),
 * then applied in one transaction: its changes in seq order, an upsert by
 * (device_id, id) per row, and a row in certdesk_batches. A batch already
 * loaded is skipped; a batch that would leave a gap after the last one loaded
 * for its device is refused. So loading a folder any number of times holds
 * each change exactly once. A change the database cannot store (a NUL in a
 * name written before the text rule) is held back in certdesk_held_changes,
 * named with what to correct, and the rest of its batch is loaded: one bad
 * value never blocks every later batch. A later change of the same row, once
 * stored, resolves it.
 */
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import knexFactory, { type Knex } from 'knex';
import type { Entity } from '../services/changelog';
import { SyncError, type SyncProgress } from './errors';
import { ENTITIES, parseBatchName, TEMP_PREFIX, type BatchChange, type Manifest } from './format';
import { describeUnstorable } from './unstorable';
import { readBatch } from './verify';

type ColumnType = 'integer' | 'bigint' | 'text' | 'float' | 'boolean';

interface TableSpec {
  table: string;
  /** The desktop row's columns (docs/sync-batch-format.md, "Entity data"). */
  columns: Record<string, ColumnType>;
  /** History is append-only: a row already there is never changed. */
  insertOnly?: boolean;
}

/**
 * The receiver's tables mirror the desktop's, plus `device_id` (ids are per
 * desktop database) and `last_seq` (the change that last wrote the row).
 * Dates and timestamps stay text exactly as the desktop wrote them.
 */
export const RECEIVER_TABLES: Record<Entity, TableSpec> = {
  contact: {
    table: 'contacts',
    columns: {
      id: 'integer',
      central_id: 'text',
      member_number: 'text',
      first_name: 'text',
      last_name: 'text',
      email: 'text',
      organization: 'text',
      phone: 'text',
      name_key: 'text',
      email_key: 'text',
      organization_key: 'text',
      member_key: 'text',
      created_at: 'text',
      updated_at: 'text',
    },
  },
  program: {
    table: 'programs',
    columns: {
      id: 'integer',
      central_id: 'text',
      code: 'text',
      name: 'text',
      version: 'text',
      category: 'text',
      description: 'text',
      require_approval: 'boolean',
      require_completion_approval: 'boolean',
      expiration_kind: 'text',
      expiration_amount: 'integer',
      expiration_unit: 'text',
      expiration_fixed_on: 'text',
      archived_at: 'text',
      created_at: 'text',
      updated_at: 'text',
      renewal_credits: 'float',
      renewal_minimums: 'text',
      renewal_carry_over_cap: 'float',
      renewal_review: 'boolean',
      reminder_schedule: 'text',
    },
  },
  component: {
    table: 'components',
    columns: {
      id: 'integer',
      program_id: 'integer',
      name: 'text',
      kind: 'text',
      credits: 'float',
      credit_unit: 'text',
      required: 'boolean',
      position: 'integer',
      archived_at: 'text',
    },
  },
  record: {
    table: 'records',
    columns: {
      id: 'integer',
      contact_id: 'integer',
      program_id: 'integer',
      status: 'text',
      sort_name: 'text',
      cycle: 'integer',
      applied_on: 'text',
      started_on: 'text',
      completed_on: 'text',
      approved_on: 'text',
      expires_on: 'text',
      expiration_overridden: 'boolean',
      required_total: 'integer',
      required_done: 'integer',
      notes: 'text',
      created_at: 'text',
      updated_at: 'text',
      cycle_starts_on: 'text',
      credits_needed: 'float',
      credits_on_track_until: 'text',
    },
  },
  progress: {
    table: 'component_progress',
    columns: {
      id: 'integer',
      record_id: 'integer',
      component_id: 'integer',
      cycle: 'integer',
      completed_on: 'text',
      credits: 'float',
      note: 'text',
      recorded_by: 'integer',
      recorded_at: 'text',
      // Migration 008 (completions from imports, removable with a reason).
      source: 'text',
      removed_at: 'text',
      removed_reason: 'text',
      removed_by: 'integer',
    },
  },
  history: {
    table: 'record_history',
    insertOnly: true,
    columns: {
      id: 'integer',
      record_id: 'integer',
      cycle: 'integer',
      kind: 'text',
      from_status: 'text',
      to_status: 'text',
      detail: 'text',
      reason: 'text',
      rule: 'text',
      actor_id: 'integer',
      actor_name: 'text',
      on_date: 'text',
      at: 'text',
    },
  },
  outbox: {
    table: 'outbox',
    columns: {
      id: 'integer',
      kind: 'text',
      record_id: 'integer',
      expires_on: 'text',
      to_email: 'text',
      to_name: 'text',
      subject: 'text',
      body: 'text',
      state: 'text',
      created_at: 'text',
      exported_seq: 'bigint',
      withdrawn_at: 'text',
      withdrawn_reason: 'text',
      cycle: 'integer',
      reminder_offset: 'integer',
    },
  },
  activity: {
    table: 'ce_activities',
    columns: {
      id: 'integer',
      record_id: 'integer',
      cycle: 'integer',
      kind: 'text',
      earned_on: 'text',
      title: 'text',
      category: 'text',
      credits: 'float',
      source: 'text',
      external_id: 'text',
      recorded_by: 'integer',
      recorded_at: 'text',
      removed_at: 'text',
      removed_by: 'integer',
      removed_reason: 'text',
    },
  },
};

export const BATCHES_TABLE = 'certdesk_batches';
/** Changes the database could not store, with what to correct; `resolved_seq` is the later change of the same row that was stored. */
export const HELD_TABLE = 'certdesk_held_changes';
/** pg_advisory_xact_lock key ("CDSY"): one loader at a time per database. */
const LOCK_KEY = 0x43445359;
/** PostgreSQL takes at most 65 535 bound values per statement. */
const MAX_BINDINGS = 30_000;

/** Creates the receiver's tables (and any column a newer receiver added) where missing. */
export async function ensureReceiverSchema(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [LOCK_KEY]);
    for (const spec of Object.values(RECEIVER_TABLES)) {
      const add = (tb: Knex.CreateTableBuilder, name: string, type: ColumnType): void => {
        const col =
          type === 'integer'
            ? tb.integer(name)
            : type === 'bigint'
              ? tb.bigInteger(name)
              : type === 'float'
                ? tb.double(name)
                : type === 'boolean'
                  ? tb.boolean(name)
                  : tb.text(name);
        if (name === 'id') col.notNullable();
      };
      if (!(await trx.schema.hasTable(spec.table))) {
        await trx.schema.createTable(spec.table, (tb) => {
          tb.text('device_id').notNullable();
          for (const [name, type] of Object.entries(spec.columns)) add(tb, name, type);
          tb.bigInteger('last_seq').notNullable();
          tb.primary(['device_id', 'id']);
        });
      } else {
        for (const [name, type] of Object.entries(spec.columns)) {
          if (!(await trx.schema.hasColumn(spec.table, name))) await trx.schema.alterTable(spec.table, (tb) => add(tb, name, type));
        }
      }
    }
    if (!(await trx.schema.hasTable(BATCHES_TABLE))) {
      await trx.schema.createTable(BATCHES_TABLE, (tb) => {
        tb.text('name').primary();
        tb.text('device_id').notNullable();
        tb.bigInteger('from_seq').notNullable();
        tb.bigInteger('to_seq').notNullable();
        tb.integer('changes').notNullable();
        tb.text('manifest_sha256').notNullable();
        tb.text('created_at').notNullable();
        tb.timestamp('loaded_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
        tb.index(['device_id', 'to_seq']);
      });
    }
    if (!(await trx.schema.hasTable(HELD_TABLE))) {
      await trx.schema.createTable(HELD_TABLE, (tb) => {
        tb.text('device_id').notNullable();
        tb.bigInteger('seq').notNullable();
        tb.text('entity').notNullable();
        tb.bigInteger('entity_id').notNullable();
        tb.text('batch').notNullable();
        tb.text('problem').notNullable();
        // The change as JSON text (escaped, so a NUL is six characters here): jsonb would refuse it again.
        tb.text('change').notNullable();
        tb.bigInteger('resolved_seq');
        tb.timestamp('held_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
        tb.primary(['device_id', 'seq']);
      });
    }
  });
}

function convert(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'boolean':
      return typeof value === 'number' ? value !== 0 : typeof value === 'string' ? value === '1' || value === 'true' : Boolean(value);
    case 'text':
      return typeof value === 'string' ? value : JSON.stringify(value);
    default:
      return value;
  }
}

/** A change the receiver could not store: which one, and what to correct (a sentence). */
export interface HeldChange {
  batch: string;
  seq: number;
  entity: string;
  id: number;
  problem: string;
}

export interface LoadOutcome {
  batch: string;
  outcome: 'loaded' | 'skipped';
  /** Changes applied (0 when skipped), held ones included. */
  changes: number;
  why?: string;
  /** Changes of this batch held back because the database could not store them; the rest was loaded. */
  held?: HeldChange[];
}

export interface LoadResult {
  batches: LoadOutcome[];
  loaded: number;
  skipped: number;
  changes: number;
  /** Changes held back, each with what to correct. */
  held: HeldChange[];
  /** Entities or fields the batches carry that this receiver has no column for (left out, named here). */
  ignored: string[];
  warnings: string[];
  durationMs: number;
}

export interface LoadOptions {
  folder: string;
  pgUrl: string;
  job?: SyncProgress;
  /** Called after each batch, for progress output. */
  onBatch?: (outcome: LoadOutcome, index: number, total: number) => void;
  /** knex's own warnings (connection retries and the like); dropped when not given, since failures surface as errors anyway. */
  onWarning?: (message: string) => void;
}

/** The URL without its password, for messages. */
export function safeUrl(pgUrl: string): string {
  try {
    const url = new URL(pgUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(the given PostgreSQL URL)';
  }
}

/** Loads every batch of `folder`, device by device in seq order. Throws SyncError (INVALID_BATCH, GAP, CONFLICT) at the first batch refused. */
export async function loadIntoPostgres(options: LoadOptions): Promise<LoadResult> {
  const t0 = performance.now();
  const result: LoadResult = { batches: [], loaded: 0, skipped: 0, changes: 0, held: [], ignored: [], warnings: [], durationMs: 0 };
  const ignored = new Set<string>();

  let entries: Dirent[];
  try {
    entries = await fs.readdir(options.folder, { withFileTypes: true });
  } catch (err) {
    throw new SyncError('FOLDER_MISSING', `Cannot read the batch folder ${options.folder}: ${(err as Error).message}`, { cause: err });
  }
  const batches = entries
    .filter((e) => {
      if (e.name.startsWith(TEMP_PREFIX)) result.warnings.push(`${e.name}: left by an interrupted export; ignored`);
      return e.isDirectory() && parseBatchName(e.name) !== null;
    })
    .map((e) => ({ name: e.name, ...(parseBatchName(e.name) as NonNullable<ReturnType<typeof parseBatchName>>) }))
    .sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : a.fromSeq - b.fromSeq || a.toSeq - b.toSeq));

  const warn = (message: unknown): void => options.onWarning?.(message instanceof Error ? message.message : String(message));
  const knex = knexFactory({
    client: 'pg',
    connection: options.pgUrl,
    pool: { min: 0, max: 2 },
    log: { warn, error: warn, deprecate: () => undefined, debug: () => undefined },
  });
  try {
    try {
      await ensureReceiverSchema(knex);
    } catch (err) {
      throw new Error(`Cannot prepare the receiver's tables in ${safeUrl(options.pgUrl)}: ${(err as Error).message}`, { cause: err });
    }
    options.job?.progress(0, batches.length, `${batches.length} batches to load`);
    for (const [index, entry] of batches.entries()) {
      const read = await readBatch(path.join(options.folder, entry.name));
      if (read.problems.length > 0 || !read.manifest) {
        throw new SyncError(
          'INVALID_BATCH',
          `${entry.name} does not verify against its manifest, so none of it was loaded: ${read.problems.slice(0, 5).join('; ')}${read.problems.length > 5 ? '; …' : ''}`,
        );
      }
      const outcome = await loadBatch(knex, entry.name, read.manifest, read.changes, ignored);
      result.batches.push(outcome);
      if (outcome.outcome === 'loaded') result.loaded++;
      else result.skipped++;
      result.changes += outcome.changes;
      result.held.push(...(outcome.held ?? []));
      options.job?.progress(index + 1, batches.length, `${entry.name}: ${outcome.outcome}`);
      options.onBatch?.(outcome, index, batches.length);
    }
  } finally {
    await knex.destroy();
  }
  result.ignored = [...ignored].sort();
  result.durationMs = Math.round(performance.now() - t0);
  return result;
}

async function loadBatch(knex: Knex, name: string, manifest: Manifest, changes: readonly BatchChange[], ignored: Set<string>): Promise<LoadOutcome> {
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [LOCK_KEY]);
    const same = await trx(BATCHES_TABLE).where({ name }).first<{ manifest_sha256: string } | undefined>('manifest_sha256');
    if (same) {
      if (same.manifest_sha256 === manifest.manifestSha256) return { batch: name, outcome: 'skipped', changes: 0, why: 'already loaded' };
      throw new SyncError(
        'CONFLICT',
        `${name} was loaded before with other content (manifest ${same.manifest_sha256}, now ${manifest.manifestSha256}); nothing of it was loaded again. The desktop's database may have been restored from an older backup.`,
      );
    }
    const last = await trx(BATCHES_TABLE)
      .where({ device_id: manifest.deviceId })
      .orderBy('to_seq', 'desc')
      .first<{ name: string; to_seq: string | number } | undefined>('name', 'to_seq');
    const lastSeq = Number(last?.to_seq ?? 0);
    if (manifest.toSeq <= lastSeq) return { batch: name, outcome: 'skipped', changes: 0, why: `seq ${manifest.fromSeq}–${manifest.toSeq} already loaded` };
    if (manifest.fromSeq > lastSeq + 1) {
      const after = last
        ? `the last batch loaded for device ${manifest.deviceId} (${last.name}) ends at seq ${lastSeq}`
        : `nothing has been loaded for device ${manifest.deviceId} yet`;
      throw new SyncError(
        'GAP',
        `${name} starts at seq ${manifest.fromSeq}, but ${after}: seq ${lastSeq + 1}–${manifest.fromSeq - 1} is missing. ` +
          `Load the batch${manifest.fromSeq - lastSeq > 2 ? 'es' : ''} holding ${lastSeq + 1}–${manifest.fromSeq - 1} first; nothing of ${name} was loaded.`,
      );
    }
    // Changes an overlapping earlier batch already brought are not applied again.
    const fresh = changes.filter((c) => c.seq > lastSeq);
    let held: HeldChange[] = [];
    try {
      // A savepoint: when one value cannot be stored, the batch is applied again change by change.
      await trx.transaction((sp) => applyChanges(sp, manifest.deviceId, fresh, ignored));
    } catch {
      held = await applyStorable(trx, name, manifest.deviceId, fresh, ignored);
    }
    await recordHeld(trx, manifest.deviceId, held, fresh);
    await trx(BATCHES_TABLE).insert({
      name,
      device_id: manifest.deviceId,
      from_seq: manifest.fromSeq,
      to_seq: manifest.toSeq,
      changes: fresh.length,
      manifest_sha256: manifest.manifestSha256,
      created_at: manifest.createdAt,
    });
    return { batch: name, outcome: 'loaded', changes: fresh.length, ...(held.length > 0 ? { held } : {}) };
  });
}

/** Applies each change in its own savepoint; answers those the database refused. */
async function applyStorable(
  trx: Knex.Transaction,
  batch: string,
  deviceId: string,
  changes: readonly BatchChange[],
  ignored: Set<string>,
): Promise<HeldChange[]> {
  const held: HeldChange[] = [];
  for (const change of changes) {
    try {
      await trx.transaction((sp) => applyChanges(sp, deviceId, [change], ignored));
    } catch (err) {
      held.push({ batch, seq: change.seq, entity: change.entity, id: change.id, problem: describeUnstorable(change, err) });
    }
  }
  return held;
}

/** Keeps the changes held back, and marks earlier held changes resolved when this batch stored a later change of the same row. */
async function recordHeld(trx: Knex.Transaction, deviceId: string, held: readonly HeldChange[], fresh: readonly BatchChange[]): Promise<void> {
  const heldSeqs = new Set(held.map((h) => h.seq));
  const open = await trx(HELD_TABLE)
    .where({ device_id: deviceId })
    .whereNull('resolved_seq')
    .select<Array<{ seq: string | number; entity: string; entity_id: string | number }>>('seq', 'entity', 'entity_id');
  if (open.length > 0) {
    const stored = new Map<string, number>();
    for (const c of fresh) if (!heldSeqs.has(c.seq)) stored.set(`${c.entity}:${c.id}`, c.seq);
    for (const row of open) {
      const later = stored.get(`${row.entity}:${Number(row.entity_id)}`);
      if (later !== undefined && later > Number(row.seq)) await trx(HELD_TABLE).where({ device_id: deviceId, seq: row.seq }).update({ resolved_seq: later });
    }
  }
  if (held.length === 0) return;
  const bySeq = new Map(fresh.map((c) => [c.seq, c]));
  await trx(HELD_TABLE)
    .insert(
      held.map((h) => ({
        device_id: deviceId,
        seq: h.seq,
        entity: h.entity,
        entity_id: h.id,
        batch: h.batch,
        problem: h.problem,
        change: JSON.stringify(bySeq.get(h.seq) ?? null),
      })),
    )
    .onConflict(['device_id', 'seq'])
    .ignore();
}

/**
 * Applies changes as if one by one in seq order: each row's changes are merged
 * in order (a later field wins), then upserted once per row, many rows per
 * statement. The same final rows, far fewer round trips.
 */
async function applyChanges(trx: Knex.Transaction, deviceId: string, changes: readonly BatchChange[], ignored: Set<string>): Promise<void> {
  const merged = new Map<string, Map<number, { data: Record<string, unknown>; lastSeq: number }>>();
  for (const c of changes) {
    if (!(ENTITIES as readonly string[]).includes(c.entity)) {
      ignored.add(c.entity);
      continue;
    }
    const rows = merged.get(c.entity) ?? new Map<number, { data: Record<string, unknown>; lastSeq: number }>();
    const prev = rows.get(c.id);
    rows.set(c.id, { data: { ...prev?.data, ...c.data }, lastSeq: c.seq });
    merged.set(c.entity, rows);
  }
  for (const entity of ENTITIES) {
    const rows = merged.get(entity);
    if (!rows) continue;
    const spec = RECEIVER_TABLES[entity];
    const groups = new Map<string, Array<Record<string, unknown>>>();
    for (const [id, { data, lastSeq }] of rows) {
      const row: Record<string, unknown> = { device_id: deviceId, id, last_seq: lastSeq };
      for (const [key, value] of Object.entries(data)) {
        const type = spec.columns[key];
        if (type === undefined) ignored.add(`${entity}.${key}`);
        else if (key !== 'id') row[key] = convert(value, type);
      }
      if (entity === 'outbox') {
        // The desktop marks what a batch hands over (docs: "The outbox"); the receiver records the same.
        if (row.state === 'queued') row.state = 'exported';
        row.exported_seq = lastSeq;
      }
      const key = Object.keys(row).sort().join(',');
      const group = groups.get(key) ?? [];
      group.push(row);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      const columns = Object.keys(group[0] ?? {});
      const perStatement = Math.max(1, Math.floor(MAX_BINDINGS / columns.length));
      for (let i = 0; i < group.length; i += perStatement) {
        const insert = trx(spec.table)
          .insert(group.slice(i, i + perStatement))
          .onConflict(['device_id', 'id']);
        if (spec.insertOnly) await insert.ignore();
        else await insert.merge(columns.filter((c) => c !== 'device_id' && c !== 'id'));
      }
    }
  }
}
