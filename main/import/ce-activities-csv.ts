/**
 * CE activities in the completions CSV (issue #18): a row that names a credit
 * category instead of a component is continuing-education credit earned for
 * a certification's renewal — recorded on the contact's record for that
 * certification (date, title, category, credits, source) exactly as "Add CE
 * activity" in the record drawer records it (services/credits addActivities).
 * The same activity twice counts once: by its Activity ID when the file
 * gives one (ce_activities.external_id), else by the same date, title,
 * category and credits on that record. An activity dated outside the record's
 * current cycle is imported, and the preview says it does not count.
 */
import type { ProgramRow, RecordRow } from '../domain/rows';
import { requirementOf } from '../domain/renewal';
import { whereInJson } from '../db/where-in-json';
import type { CalendarDate } from '../rules/calendar';
import type { ActivityRow } from '../services/credit-standing';
import { runningCycle } from '../services/credit-standing';
import { findCategory, listCategories, whyNotCounted, type CreditCategory, type NewActivity } from '../services/credits';
import type { Executor } from '../services/context';
import type { FieldChange } from './result';
import { chunk } from './write';

/** What a CE row of the file gives, already checked as text and date. */
export interface ActivityCells {
  category: string;
  title: string | undefined;
  credits: string | undefined;
  earnedOn: CalendarDate;
  source: string;
  externalId: string | undefined;
}

export interface PlannedActivity extends NewActivity {
  line: number;
}

/** The record as it will be once the file's completions are recorded: where its activities count. */
export type RecordAfter = Pick<RecordRow, 'status' | 'cycle' | 'cycle_starts_on' | 'completed_on' | 'expires_on'>;

const MAX_CREDITS = 10_000;

/** Credits of an activity: more than 0, at most 10,000, at most two decimals (as the record drawer's form); `field`: where they are given. */
export function activityCredits(text: string | undefined, field = 'Credits or hours'): number | string {
  if (text === undefined) return `A CE activity needs its credits (${field}).`;
  const n = Number(text.replace(',', '.'));
  if (!Number.isFinite(n)) return `${field} "${text}" is not a number.`;
  if (n <= 0 || n > MAX_CREDITS) return `CE credits must be more than 0 and at most ${MAX_CREDITS.toLocaleString('en-US')}; the file says ${text}.`;
  if (Math.abs(Math.round(n * 100) - n * 100) > 1e-6) return `CE credits can have at most two decimals; the file says ${text}.`;
  return n;
}

const sameKey = (a: { earned_on: string; title: string; category: string | null; credits: number }): string =>
  [a.earned_on, a.title.trim().toLocaleLowerCase('und'), (a.category ?? '').toLocaleLowerCase('und'), Math.round(a.credits * 100)].join('|');

/** Plans the file's CE rows: the categories on the list, and the activities already recorded on the records the file names. */
export class ActivityPlanner {
  /** record id → key of the same values → the activity (recorded, or earlier in the file). */
  private readonly byValues = new Map<number, Map<string, { line: number | null }>>();
  /** record id → Activity ID → the activity. */
  private readonly byExternal = new Map<number, Map<string, { line: number | null; key: string; removed: string | null }>>();

  private constructor(private readonly categories: readonly CreditCategory[]) {}

  static async load(db: Executor, recordIds: readonly number[]): Promise<ActivityPlanner> {
    const planner = new ActivityPlanner(await listCategories(db));
    for (const ids of chunk(recordIds, 20_000)) {
      const rows: Array<Pick<ActivityRow, 'record_id' | 'earned_on' | 'title' | 'category' | 'credits' | 'external_id' | 'removed_at' | 'removed_reason'>> =
        await whereInJson(db('ce_activities'), 'record_id', ids)
          .where({ kind: 'activity' })
          .select('record_id', 'earned_on', 'title', 'category', 'credits', 'external_id', 'removed_at', 'removed_reason');
      for (const a of rows) {
        const key = sameKey(a);
        if (a.external_id !== null) {
          const removed = a.removed_at === null ? null : `${a.removed_at.slice(0, 10)} (${a.removed_reason ?? ''})`;
          planner.externals(a.record_id).set(a.external_id, { line: null, key, removed });
        }
        if (a.removed_at === null) planner.values(a.record_id).set(key, { line: null });
      }
    }
    return planner;
  }

  private values(recordId: number): Map<string, { line: number | null }> {
    let m = this.byValues.get(recordId);
    if (!m) this.byValues.set(recordId, (m = new Map<string, { line: number | null }>()));
    return m;
  }

  private externals(recordId: number): Map<string, { line: number | null; key: string; removed: string | null }> {
    let m = this.byExternal.get(recordId);
    if (!m) this.byExternal.set(recordId, (m = new Map<string, { line: number | null; key: string; removed: string | null }>()));
    return m;
  }

  /**
   * One CE row on `record` of `program`: the activity to record, `{ unchanged: true }` (recorded
   * already, or earlier in the file), or why it is refused (a sentence).
   */
  plan(
    line: number,
    cells: ActivityCells,
    record: RecordRow,
    program: ProgramRow,
    label: string,
    creditsField?: string,
  ): PlannedActivity | { unchanged: true } | string {
    const problems: string[] = [];
    const category = findCategory(this.categories, cells.category);
    if (!category) problems.push(`${cells.category} is not on the list of credit categories (Settings › Credit categories).`);
    if (requirementOf(program) === null)
      problems.push(`${program.code} has no renewal requirement, so it takes no CE activities (set one in Settings › Certification programs).`);
    if (cells.title === undefined) problems.push('A CE activity needs a title (the course or event).');
    const credits = activityCredits(cells.credits, creditsField);
    if (typeof credits === 'string') problems.push(credits);
    if (problems.length > 0 || !category || cells.title === undefined || typeof credits === 'string') return problems.join(' ');
    const key = sameKey({ earned_on: cells.earnedOn, title: cells.title, category: category.name, credits });
    if (cells.externalId !== undefined) {
      const known = this.externals(record.id).get(cells.externalId);
      if (known) {
        const where = known.line === null ? 'already recorded' : `on line ${known.line}`;
        if (known.removed !== null) return `${label}: Activity ID ${cells.externalId} was recorded and removed on ${known.removed}; it is not imported again.`;
        if (known.key === key) return { unchanged: true };
        return `${label}: Activity ID ${cells.externalId} is ${where} with another date, title, category or credits; remove that activity in the record drawer first to change it.`;
      }
      this.externals(record.id).set(cells.externalId, { line, key, removed: null });
    } else if (this.values(record.id).has(key)) return { unchanged: true };
    this.values(record.id).set(key, { line });
    return {
      line,
      record,
      earnedOn: cells.earnedOn,
      title: cells.title,
      category: category.name,
      credits,
      source: cells.source,
      externalId: cells.externalId ?? null,
    };
  }
}

/** What the preview says of an activity: what it records, and whether it counts towards renewal (in words). */
export function activityFields(a: PlannedActivity, after: RecordAfter): { fields: FieldChange[]; counts: boolean } {
  const notCounted = whyNotCounted(runningCycle(after), a.earnedOn);
  const fields: FieldChange[] = [
    { field: 'Date', from: '', to: a.earnedOn },
    { field: 'Category', from: '', to: a.category },
    { field: 'Credits', from: '', to: String(a.credits) },
  ];
  if (a.source !== '') fields.push({ field: 'Source', from: '', to: a.source });
  fields.push({ field: 'Towards renewal', from: '', to: notCounted ?? 'counts in the current cycle' });
  return { fields, counts: notCounted === null };
}
