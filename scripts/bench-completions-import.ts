/**
 * The benchmark's "import 100,000 completions" (issue #15): a file of component
 * completions for records being worked on, each a required component the record
 * has not completed yet (so every row is new, and records whose last required
 * component arrives become Active or Admin Review through the engine), through
 * the Import dialog's calls (preview, then the apply job).
 */
import type { Db } from '../main/db/database';
import { addDays, type CalendarDate } from '../main/rules/calendar';

/** Up to `n` completions not yet recorded, of records In Progress or Applied, as a completions CSV; and how many rows it has. */
export async function completionsCsv(db: Db, n: number, today: CalendarDate): Promise<{ text: string; rows: number }> {
  const rows = (await db.raw(
    `SELECT c.member_number AS member, p.code AS code, comp.name AS component
       FROM records r
       JOIN contacts c ON c.id = r.contact_id
       JOIN programs p ON p.id = r.program_id
       JOIN components comp ON comp.program_id = r.program_id AND comp.required = 1 AND comp.archived_at IS NULL
      WHERE r.status IN ('In Progress', 'Applied') AND c.member_number IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM component_progress cp
                         WHERE cp.record_id = r.id AND cp.component_id = comp.id AND cp.cycle = r.cycle AND cp.removed_at IS NULL)
      ORDER BY r.id, comp.position, comp.id
      LIMIT ?`,
    [n],
  )) as Array<{ member: string; code: string; component: string }>;
  const quote = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = ['Member Number,Certification Code,Component,Completed On,Credits,Source'];
  rows.forEach((r, i) => lines.push(`${quote(r.member)},${quote(r.code)},${quote(r.component)},${addDays(today, -(1 + (i % 60)))},,Learning system`));
  return { text: `${lines.join('\n')}\n`, rows: rows.length };
}
