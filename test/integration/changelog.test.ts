/**
 * What a change-log entry holds when SQLite writes it (logStoredRows): the row
 * exactly as `select *` reads it, field for field and in column order, for
 * every kind of value a row holds — the sync export hands these to the
 * central system.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertLogged } from '../../main/import/write';
import { expectLoggedAsStored, freshDb, makeProgram, type LogEntry, type TestDb } from './support';

let t: TestDb;

beforeEach(async () => {
  t = await freshDb();
});
afterEach(async () => {
  await t.dispose();
});

describe('change-log entries written by SQLite', () => {
  it('hold every REAL to the last digit, and text, NULLs and 0/1 flags as stored', async () => {
    const { program } = await makeProgram(t.ctx, { components: [] });
    const credits = [1 / 3, 0.1 + 0.2, 2, 1e-7, 123456789.12345679, -0, 5e-324, 1.7976931348623157e308, 344715054605460032, -(2 ** 63), 2 ** 70 + 2 ** 20];
    const at = '2026-03-10T15:00:00.000Z';
    const ids = await t.db.transaction((trx) =>
      insertLogged(
        trx,
        'components',
        'component',
        credits.map((c, i) => ({
          program_id: program.id,
          name: i === 0 ? 'Ethics "advanced"\n\\ Zoë 😀 \u0001' : `Part ${i}`,
          kind: 'course',
          credits: c,
          credit_unit: 'hours',
          required: i % 2 === 0,
          position: i,
          archived_at: i === 1 ? at : null,
        })),
        at,
      ),
    );
    expect(ids).toHaveLength(credits.length);
    const log = (await t.db('change_log').where({ entity: 'component' }).whereIn('entity_id', ids).orderBy('seq')) as LogEntry[];
    expect(log.map((e) => e.entity_id)).toEqual(ids);
    for (const entry of log) await expectLoggedAsStored(t.db, entry, 'components');
    const logged = log.map((e) => (JSON.parse(e.data) as { credits: number }).credits);
    // -0 is stored by SQLite as 0; every other value comes back as the same double.
    expect(logged).toEqual(credits.map((c) => (Object.is(c, -0) ? 0 : c)));
  });
});
