/**
 * Helpers for the sync tests: data made through the real services (a seeded
 * random workload of staff actions and time sweeps), and ways to look at a
 * folder of batches.
 */
import fs from 'node:fs';
import path from 'node:path';
import { addDays, todayIn, type CalendarDate } from '../../../main/rules/calendar';
import { STATUSES } from '../../../main/rules/statuses';
import { createContact } from '../../../main/services/contacts';
import { ServiceError, type Actor } from '../../../main/services/context';
import { createProgram, programComponents } from '../../../main/services/programs';
import { completeComponent } from '../../../main/services/completions';
import { enroll, markAllComplete, overrideExpiration, setNotes, setStatus } from '../../../main/services/records';
import { addActivity, addCategory, removeActivity, setRenewalRequirement } from '../../../main/services/credits';
import type { ComponentRow, RecordRow } from '../../../main/domain/rows';
import { runSweep } from '../../../main/services/sweep';
import { parseBatchName } from '../../../main/sync/format';
import { readBatch } from '../../../main/sync/verify';
import { maxSeq, OFFICE_TZ, type TestDb } from '../support';

import { random } from '../../support/random';

export { random };

const NAMES = ['Zoë', 'İlknur', 'Straße', 'José', 'Nguyễn', 'Ōta', 'Søren', 'O’Brien', 'Anne-Marie', 'محمد', 'יעל', '李', 'Renée 🎓', 'Łukasz'];

/**
 * Staff actions and time sweeps picked at random (refusals included, as in
 * real use) until the change log holds at least `minChanges` entries.
 * Returns how many service calls succeeded.
 */
export async function randomWorkload(t: TestDb, actor: Actor, options: { seed: number; minChanges: number }): Promise<number> {
  const rnd = random(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const today = (): CalendarDate => todayIn(OFFICE_TZ, t.clock.now());
  const contacts: number[] = [];
  const programs: Array<{ id: number; components: ComponentRow[] }> = [];
  const records: number[] = [];
  let ok = 0;
  let serial = 0;

  const attempt = async (action: () => Promise<unknown>): Promise<void> => {
    try {
      await action();
      ok++;
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
    }
  };

  while ((await maxSeq(t.db)) < options.minChanges) {
    const r = rnd();
    serial++;
    if (programs.length < 3 || r < 0.02) {
      const count = Math.floor(rnd() * 4);
      const kind = pick(['never', 'period', 'fixed'] as const);
      const program = await createProgram(t.ctx, {
        code: `RND${options.seed}-${serial}`,
        name: `Program ${serial} ${pick(NAMES)}`,
        requireApproval: rnd() < 0.4,
        requireCompletionApproval: rnd() < 0.3,
        expiration:
          kind === 'never'
            ? { kind }
            : kind === 'period'
              ? { kind, amount: 1 + Math.floor(rnd() * 3), unit: pick(['months', 'years'] as const) }
              : { kind, date: addDays(today(), 40 + Math.floor(rnd() * 400)) },
        components: Array.from({ length: count }, (_, i) => ({
          name: `Part ${i + 1}`,
          kind: pick(['course', 'exam', 'task', 'document'] as const),
          credits: Math.round(rnd() * 80) / 4,
          creditUnit: pick(['credits', 'hours'] as const),
          required: rnd() < 0.8,
        })),
      });
      programs.push({ id: program.id, components: await programComponents(t.db, program.id) });
      ok++;
    } else if (contacts.length < 5 || r < 0.15) {
      const contact = await createContact(t.ctx, {
        firstName: pick(NAMES),
        lastName: `${pick(NAMES)} ${serial}`,
        email: `m${options.seed}-${serial}@example.org`,
        memberNumber: rnd() < 0.7 ? `M${options.seed}-${serial}` : null,
        organization: rnd() < 0.5 ? 'Association "A"; “quoted”, with a comma' : '',
      });
      contacts.push(contact.id);
      ok++;
    } else if (records.length < 5 || r < 0.35) {
      await attempt(async () => {
        const record = await enroll(t.ctx, actor, {
          contactId: pick(contacts),
          programId: pick(programs).id,
          source: rnd() < 0.5 ? 'application' : 'back-office',
        });
        records.push(record.id);
      });
    } else if (r < 0.6) {
      const id = pick(records);
      const record = (await t.db('records').where({ id }).first()) as RecordRow;
      const program = programs.find((p) => p.id === record.program_id);
      if (program && program.components.length > 0) {
        await attempt(() =>
          completeComponent(t.ctx, actor, { recordId: id, componentId: pick(program.components).id, completedOn: addDays(today(), -Math.floor(rnd() * 20)) }),
        );
      } else {
        await attempt(() => markAllComplete(t.ctx, actor, { id, reason: 'Completed elsewhere' }));
      }
    } else if (r < 0.75) {
      await attempt(() => setStatus(t.ctx, actor, { id: pick(records), to: pick(STATUSES), reason: 'Random test move' }));
    } else if (r < 0.82) {
      await attempt(() => setNotes(t.ctx, actor, { id: pick(records), notes: `Note ${serial} ${pick(NAMES)}\r\nafter a line break,\tand a tab` }));
    } else if (r < 0.9) {
      await attempt(() =>
        overrideExpiration(t.ctx, actor, { id: pick(records), expiresOn: addDays(today(), Math.floor(rnd() * 60) - 10), reason: 'Random override' }),
      );
    } else if (r < 0.93) {
      t.clock.set(new Date(t.clock.now().getTime() + Math.floor(rnd() * 20) * 86_400_000).toISOString());
      await runSweep(t.ctx);
      ok++;
    } else {
      await attempt(() => markAllComplete(t.ctx, actor, { id: pick(records), reason: 'Completed elsewhere' }));
    }
  }
  // Renewal credits (after the loop, so the random sequence above stays as it was): a requirement, activities, a removal.
  const first = (await t.db('records').where({ id: records[0] }).first()) as RecordRow | undefined;
  if (first) {
    await attempt(() => addCategory(t.ctx, `Ethics ${options.seed}`));
    await attempt(() =>
      setRenewalRequirement(t.ctx, {
        programId: first.program_id,
        requirement: { credits: 12.5, minimums: [{ category: `Ethics ${options.seed}`, credits: 2 }], carryOverCap: 3, review: false },
      }),
    );
    for (const credits of [1.25, 0.1, 4]) {
      await attempt(() =>
        addActivity(t.ctx, actor, {
          recordId: first.id,
          earnedOn: today(),
          title: `Seminar ${pick(NAMES)}`,
          category: `Ethics ${options.seed}`,
          credits,
          source: 'Conference',
        }),
      );
    }
    const [activityId] = (await t.db('ce_activities').where({ record_id: first.id }).pluck('id')) as number[];
    if (activityId !== undefined) await attempt(() => removeActivity(t.ctx, actor, { id: activityId, reason: 'Entered twice' }));
  }
  return ok;
}

/** Every file under `dir`, relative path → bytes. */
export function tree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (sub: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else files.set(rel, fs.readFileSync(path.join(dir, rel)));
    }
  };
  walk('');
  return files;
}

/** Final-named batch folders in `folder`, sorted. */
export function batchNames(folder: string): string[] {
  return fs
    .readdirSync(folder)
    .filter((n) => parseBatchName(n) !== null)
    .sort();
}

/** Every seq held by the batches in `folder`, with how often each appears, and whether each batch verifies on its own. */
export async function seqsInFolder(folder: string): Promise<{ seqs: number[]; problems: string[] }> {
  const seqs: number[] = [];
  const problems: string[] = [];
  for (const name of batchNames(folder)) {
    const batch = await readBatch(path.join(folder, name));
    problems.push(...batch.problems.map((p) => `${name}: ${p}`));
    seqs.push(...batch.changes.map((c) => c.seq));
  }
  return { seqs: seqs.sort((a, b) => a - b), problems };
}

export function oneToN(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
