/**
 * The round trip into a real PostgreSQL server: thousands of random staff
 * actions and sweeps, exported in batches, loaded by the reference receiver;
 * every table compared row for row with the desktop's. Loading again changes
 * nothing; a batch with a gap, or one that does not verify, is refused whole.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncError } from '../../../main/sync/errors';
import { exportChanges } from '../../../main/sync/export';
import { ENTITIES } from '../../../main/sync/format';
import { BATCHES_TABLE, loadIntoPostgres, RECEIVER_TABLES } from '../../../main/sync/load-pg';
import { readDeviceId } from '../../../main/sync/state';
import { freshDb, makeStaff, maxSeq, removeDir, tempDir, type TestDb } from '../support';
import { batchNames, randomWorkload } from './helpers';
import { findPgBin, startPg, type PgServer } from './pg-server';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const found = findPgBin();
if (!('bin' in found)) console.log(`SKIPPED sync round trip into PostgreSQL: ${found.reason}`);

describe.skipIf(!('bin' in found))('round trip into PostgreSQL', () => {
  let server: PgServer;
  let pg: Knex;
  let t: TestDb;
  let deviceId: string;
  const folders: string[] = [];

  const folder = (label: string): string => {
    const dir = tempDir(`certdesk-pg-${label}-`);
    folders.push(dir);
    return dir;
  };

  beforeAll(async () => {
    if (!('bin' in found)) return;
    server = await startPg(found.bin);
    pg = knexFactory({ client: 'pg', connection: server.url, pool: { min: 0, max: 1 } });
    t = await freshDb();
  });
  afterAll(async () => {
    await pg?.destroy();
    server?.stop();
    await t?.dispose();
    for (const dir of folders) removeDir(dir);
  });

  /** The desktop's table as rows, ordered by id. */
  async function desktopRows(table: string): Promise<Array<Record<string, unknown>>> {
    return (await t.db(table).orderBy('id')) as Array<Record<string, unknown>>;
  }

  /** The receiver's table for this device, in the desktop's representation (booleans 0/1, bigints as numbers, no receiver columns). */
  async function receiverRows(entity: (typeof ENTITIES)[number]): Promise<Array<Record<string, unknown>>> {
    const spec = RECEIVER_TABLES[entity];
    const rows = (await pg(spec.table).where({ device_id: deviceId }).orderBy('id')) as Array<Record<string, unknown>>;
    return rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const [column, type] of Object.entries(spec.columns)) {
        const value = row[column];
        out[column] = value === null ? null : type === 'boolean' ? (value ? 1 : 0) : type === 'bigint' ? Number(value) : value;
      }
      return out;
    });
  }

  async function compareAll(): Promise<void> {
    for (const entity of ENTITIES) {
      const table = RECEIVER_TABLES[entity].table;
      const desktop = await desktopRows(table);
      expect(desktop.length, table).toBeGreaterThan(0);
      expect(await receiverRows(entity), table).toEqual(desktop);
    }
  }

  /** Every receiver table, as text, to prove a load changed nothing. */
  async function receiverSnapshot(): Promise<string> {
    const parts: unknown[] = [];
    for (const spec of Object.values(RECEIVER_TABLES)) parts.push(await pg(spec.table).orderBy(['device_id', 'id']));
    parts.push(await pg(BATCHES_TABLE).orderBy('name'));
    return JSON.stringify(parts);
  }

  it('thousands of random changes arrive exactly as the desktop holds them; loading again changes nothing', { timeout: 90_000 }, async () => {
    const staff = await makeStaff(t.ctx, 'lee', 'Lee Staff');
    await randomWorkload(t, staff, { seed: 2026, minChanges: 3000 });
    const out = folder('out');
    const exported = await exportChanges({ db: t.db, dataDir: t.dir, folder: out, maxChanges: 700 });
    expect(exported.toSeq).toBe(await maxSeq(t.db));
    expect(exported.batches.length).toBeGreaterThanOrEqual(5);
    deviceId = (await readDeviceId(t.db)) ?? '';

    const first = await loadIntoPostgres({ folder: out, pgUrl: server.url });
    expect(first).toMatchObject({ loaded: exported.batches.length, skipped: 0, changes: exported.changes, ignored: [] });
    await compareAll();

    const before = await receiverSnapshot();
    const again = await loadIntoPostgres({ folder: out, pgUrl: server.url });
    expect(again).toMatchObject({ loaded: 0, skipped: exported.batches.length, changes: 0 });
    expect(await receiverSnapshot()).toBe(before);
  });

  it('refuses a batch with a gap, and one that does not verify, whole; then loads them in order', async () => {
    const staff = await makeStaff(t.ctx, 'ray', 'Ray Staff');
    const loadedUpTo = await maxSeq(t.db);
    await randomWorkload(t, staff, { seed: 7, minChanges: loadedUpTo + 400 });
    const out = folder('next');
    const exported = await exportChanges({ db: t.db, dataDir: t.dir, folder: out, maxChanges: 150 });
    expect(exported.fromSeq).toBe(loadedUpTo + 1);
    const names = batchNames(out);
    const [firstNew, secondNew] = exported.batches;
    expect(firstNew && secondNew).toBeTruthy();
    const before = await receiverSnapshot();

    // Only the second new batch: the first one's changes would be missing.
    const gapped = folder('gap');
    fs.cpSync(path.join(out, secondNew?.name ?? ''), path.join(gapped, secondNew?.name ?? ''), { recursive: true });
    const gap = await loadIntoPostgres({ folder: gapped, pgUrl: server.url }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(gap).toBeInstanceOf(SyncError);
    expect((gap as SyncError).code).toBe('GAP');
    expect((gap as SyncError).message).toContain(
      `${secondNew?.name ?? ''} starts at seq ${secondNew?.fromSeq ?? 0}, but the last batch loaded for device ${deviceId}`,
    );
    expect((gap as SyncError).message).toContain(`seq ${loadedUpTo + 1}–${(secondNew?.fromSeq ?? 0) - 1} is missing`);
    expect(await receiverSnapshot()).toBe(before);

    // The first new batch damaged: refused whole, nothing of it applied.
    const damaged = folder('damaged');
    fs.cpSync(out, damaged, { recursive: true });
    const file = path.join(damaged, firstNew?.name ?? '', 'changes-history.jsonl');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"actor_name":"', '"actor_name":"Mallory '));
    const invalid = await loadIntoPostgres({ folder: damaged, pgUrl: server.url }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((invalid as SyncError).code).toBe('INVALID_BATCH');
    expect((invalid as SyncError).message).toMatch(
      new RegExp(`^${firstNew?.name ?? ''} does not verify against its manifest, so none of it was loaded: .*changes-history\\.jsonl`),
    );
    expect(await receiverSnapshot()).toBe(before);

    // The command, on the good folder: in order, each once.
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'main/sync/cli-load.ts', out, '--pg', server.url], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`[1/${names.length}] loaded: ${names[0] ?? ''}`);
    expect(run.stdout.trim().split('\n').pop()).toMatch(
      new RegExp(`^Loaded ${names.length} batches \\(${exported.changes} changes\\), skipped 0 already loaded, in \\d+ ms\\.$`),
    );
    await compareAll();
    const loaded = (await pg(BATCHES_TABLE).where({ device_id: deviceId }).orderBy('from_seq').select('from_seq', 'to_seq')) as Array<{
      from_seq: string;
      to_seq: string;
    }>;
    loaded.forEach((b, i) => expect(Number(b.from_seq)).toBe(i === 0 ? 1 : Number(loaded[i - 1]?.to_seq) + 1));
  });
});
