/**
 * The benchmark's "import 100,000 certification records" (issue #15): a file
 * from a previous system for 100,000 contacts already in the database, each
 * run into a certification of its own (a contact has one record per
 * certification), through the Import dialog's calls (preview, then the apply job).
 */
import type { Db } from '../main/db/database';
import { addDays, type CalendarDate } from '../main/rules/calendar';

/** A records CSV: `members` × one certification, a mix of statuses and dates the engine re-derives. */
export function recordsCsv(members: readonly string[], code: string, component: string | null, today: CalendarDate): string {
  const lines = ['Member Number,Certification Code,Status,Applied,Started,Completed,Approved,Expires,Cycle,Completed Components'];
  members.forEach((m, i) => {
    const day = (n: number) => addDays(today, -n);
    switch (i % 5) {
      case 0: // Active in the file: Active, Expiring or Expired by the dates.
        lines.push(`${m},${code},Active,,${day(400 + (i % 1500))},${day(i % 1500)},${day(i % 1500)},,,`);
        break;
      case 1:
        lines.push(`${m},${code},Cancelled,${day(900)},${day(800)},,,,,`);
        break;
      case 2:
        lines.push(`${m},${code},In Progress,${day(200)},${day(100 + (i % 90))},,,,,${component ?? ''}`);
        break;
      case 3:
        lines.push(`${m},${code},expired,,,${day(3000)},${day(3000)},${day(2000)},2,`);
        break;
      default:
        lines.push(`${m},${code},Applied,${day(i % 60)},,,,,,`);
    }
  });
  return `${lines.join('\n')}\n`;
}

/** Certifications to import into, one per run, with a required component to list when the program has more than one. */
export async function recordsImportTargets(db: Db): Promise<Array<{ code: string; component: string | null }>> {
  const rows = (await db.raw(`SELECT p.code AS code,
      (SELECT c.name FROM components c WHERE c.program_id = p.id AND c.required = 1 AND c.archived_at IS NULL ORDER BY c.position, c.id LIMIT 1) AS first,
      (SELECT count(*) FROM components c WHERE c.program_id = p.id AND c.required = 1 AND c.archived_at IS NULL) AS required
    FROM programs p WHERE p.archived_at IS NULL ORDER BY p.id LIMIT 3`)) as Array<{ code: string; first: string | null; required: number }>;
  return rows.map((r) => ({ code: r.code, component: r.required > 1 ? r.first : null }));
}
