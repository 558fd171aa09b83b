/**
 * Staff keep browsing while a write runs: the Tracking list, its counts and a
 * record answer through the read connection while a long write transaction is
 * open on the writer (a real file in WAL mode), show the last committed state
 * meanwhile, and show the write (and a recounted total) as soon as it commits.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../main/backend';
import { SYSTEM } from '../../main/services/context';
import { enroll } from '../../main/services/records';
import { ok, signedInAdmin } from './door';
import { makeContact, makeProgram } from './support';

const inProgress = {
  quick: { kind: 'all' },
  filter: { combinator: 'and', rules: [{ field: 'status', operator: '=', value: 'In Progress' }] },
  search: '',
  sort: { column: 'contactName', direction: 'asc' },
  page: 1,
  pageSize: 50,
};

/** The call's envelope, or a failure when it has not answered within `ms` (the write is still open then). */
async function answered(backend: Backend, name: string, input: unknown, ms = 20_000): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${name} did not answer within ${ms} ms`)), ms)));
  try {
    return ok(await Promise.race([backend.invoke(name, input), late]));
  } finally {
    clearTimeout(timer);
  }
}

describe('reads beside a long write', () => {
  it('the list, the counts and a record answer while a write transaction is open, then show the write once committed', async () => {
    const backend = await signedInAdmin();
    const ctx = backend.context.services;
    const { program } = await makeProgram(ctx, { requireApproval: false });
    const first = await enroll(ctx, SYSTEM, { contactId: (await makeContact(ctx, 'Abara')).id, programId: program.id, source: 'back-office' });
    const contact = await makeContact(ctx, 'Berg');
    expect(((await answered(backend, 'tracking.list', inProgress)) as { total: number }).total).toBe(1);

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let enrolled!: () => void;
    const written = new Promise<void>((resolve) => (enrolled = resolve));
    // A long write: enrolls Berg, then stays open until the reads below have answered.
    const writing = ctx.db.transaction(async (trx) => {
      await enroll({ db: trx, clock: ctx.clock }, SYSTEM, { contactId: contact.id, programId: program.id, source: 'back-office' });
      enrolled();
      await held;
    });
    await written;
    try {
      const list = (await answered(backend, 'tracking.list', inProgress)) as { total: number; rows: Array<{ contactName: string }> };
      expect(list.total).toBe(1);
      expect(list.rows.map((r) => r.contactName)).toEqual([expect.stringContaining('Abara')]);
      const counts = (await answered(backend, 'tracking.counts', {})) as { all: number; byStatus: Record<string, number> };
      expect(counts.all).toBe(1);
      const detail = (await answered(backend, 'records.get', { id: first.id })) as { record: { id: number; status: string } };
      expect(detail.record).toMatchObject({ id: first.id, status: 'In Progress' });
    } finally {
      release();
      await writing;
    }

    const after = (await answered(backend, 'tracking.list', inProgress)) as { total: number; rows: Array<{ contactName: string }> };
    expect(after.total).toBe(2);
    expect(after.rows.map((r) => r.contactName)).toEqual([expect.stringContaining('Abara'), expect.stringContaining('Berg')]);
    expect(((await answered(backend, 'tracking.counts', {})) as { all: number }).all).toBe(2);
  });

  it('the read connection refuses to write', async () => {
    const backend = await signedInAdmin();
    await expect(backend.context.reader('settings').insert({ key: 'probe', value: '1' })).rejects.toThrow(/readonly|read-only|query_only|attempt to write/i);
  });
});
