/**
 * Staff keep browsing while a big CSV is previewed (issue #17): the import
 * parses and plans in slices (import/slices.ts), so list calls made one after
 * another during the preview keep answering. Asserted by event order, not by
 * timing: how many list calls resolve before the preview does. Parsing and
 * planning 20,000 rows in one block let none through (seen: 0 before the
 * slices, 4 or more after on a quiet machine). How many get through depends on
 * how busy the machine is (a list call needs a few turns of the event loop, one
 * per slice), so the test asks for what staff feel: the list answers at all.
 */
import { describe, expect, it } from 'vitest';
import { ok, signedInAdmin } from '../door';

const ROWS = 20_000;

const allRecords = { quick: { kind: 'all' }, search: '', sort: { column: 'contactName', direction: 'asc' }, page: 1, pageSize: 50 };

describe('list calls beside an import preview', () => {
  it('the Tracking list answers again and again while 20,000 contact rows are previewed', async () => {
    const backend = await signedInAdmin();
    const lines = ['First Name,Last Name,Email,Member Number'];
    for (let i = 0; i < ROWS; i++) lines.push(`Pat${i},Member${i},pat${i}@example.org,M${i}`);
    const text = `${lines.join('\n')}\n`;

    const events: string[] = [];
    let previewDone = false;
    const preview = backend.invoke('imports.preview', { kind: 'contacts', data: Buffer.from(text, 'utf8').toString('base64') }).then((envelope) => {
      previewDone = true;
      events.push('preview');
      return ok<{ rows: { new: number } }>(envelope);
    });
    let answered = 0;
    while (!previewDone) {
      ok(await backend.invoke('tracking.list', allRecords));
      if (!previewDone) {
        answered++;
        events.push('list');
      }
    }
    expect((await preview).rows.new).toBe(ROWS);
    expect(events.at(-1)).toBe('preview');
    expect(answered, 'list calls answered while the preview ran').toBeGreaterThanOrEqual(1);
  }, 120_000);
});

describe('the preview as a job', () => {
  it('reports reading the file and checking its rows, answers the same counts as the direct preview, and the list answers meanwhile', async () => {
    const backend = await signedInAdmin();
    const lines = ['First Name,Last Name,Email,Member Number'];
    for (let i = 0; i < ROWS; i++) lines.push(`Pat${i},Member${i},pat${i}@example.org,M${i}`);
    const data = Buffer.from(`${lines.join('\n')}\n`, 'utf8').toString('base64');

    const started = ok<{ id: string; state: string; message: string }>(await backend.invoke('imports.previewJob', { kind: 'contacts', data }));
    const messages = new Set<string>([started.message]);
    let answered = 0;
    let job = started;
    while (job.state === 'running') {
      ok(await backend.invoke('tracking.list', allRecords));
      job = ok<typeof job>(await backend.invoke('jobs.get', { id: started.id }));
      if (job.state === 'running') {
        answered++;
        messages.add(job.message);
      }
    }
    expect(job.state).toBe('done');
    const result = (job as unknown as { result: { rows: { new: number }; total: number } }).result;
    expect(result.rows.new).toBe(ROWS);
    expect(result.total).toBe(ROWS);
    expect(
      [...messages].some((m) => /^Reading the file/.test(m)),
      [...messages].join(' | '),
    ).toBe(true);
    expect(answered, 'list calls answered while the preview job ran').toBeGreaterThanOrEqual(1);

    const direct = ok<{ rows: object; sha256: string }>(await backend.invoke('imports.preview', { kind: 'contacts', data }));
    expect(direct.rows).toEqual((job as unknown as { result: { rows: object } }).result.rows);
  }, 120_000);
});
