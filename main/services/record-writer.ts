/**
 * The one write path of certification records. Every change of a record goes
 * through `applyDecisions`, inside the caller's transaction: the record, its
 * history entry, its change-log entries and, where due, exactly one
 * "Certification Expiring" email. Rows are written and logged by id in a few
 * statements per batch; stored rows come back into JavaScript only for
 * `applyOne`, whose caller shows the record (a year's sweep moves 180,000).
 */
import type { CalendarDate } from '../rules/calendar';
import type { Decision } from '../rules/engine';
import { BULK_ROWS, bulkInsert } from '../db/bulk-insert';
import { bulkUpdate } from '../db/bulk-update';
import { whereInJson } from '../db/where-in-json';
import { logStoredRows } from './changelog';
import { refreshCredits } from './credit-standing';
import type { Actor, Executor } from './context';
import { displayName } from '../domain/contact';
import { renderExpiringEmail } from '../domain/expiring-email';
import type { RecordRow } from '../domain/rows';
import type { ContactRow, HistoryRow } from '../domain/rows';
import type { Settings } from '../domain/settings';
import { settleReminders } from './reminders';

export type HistoryKind = HistoryRow['kind'];

/** What the writer needs of the record being changed: the rest is read and logged by SQLite. */
export type ChangedRecord = Pick<RecordRow, 'id' | 'status' | 'cycle'>;

export interface RecordChange<R extends ChangedRecord = ChangedRecord> {
  record: R;
  decision: Decision;
  kind: HistoryKind;
  /** What happened beyond the status, e.g. "Expiration date changed from … to …". */
  detail?: string;
  reason?: string;
  /** Extra columns to set on the record (notes, counters, overrides). */
  extra?: Partial<RecordRow>;
}

export interface WriteContext {
  actor: Actor;
  today: CalendarDate;
  at: string;
  settings: Settings;
}

/** Records per read of their contacts for the emails (whole rows come back into JavaScript). */
const CHUNK = 400;

export interface Applied {
  changed: number;
  emailsQueued: number;
  /** Reminder emails of the certifications' schedules queued for these records (issue 18). */
  remindersQueued: number;
  remindersWithdrawn: number;
}

function patchFor(change: RecordChange, at: string): Partial<RecordRow> {
  const { record, decision } = change;
  const patch: Partial<RecordRow> = { ...change.extra, updated_at: at };
  // Only a status that changes is written: setting it again rewrites a dozen indexes for nothing.
  if (decision.status !== record.status) patch.status = decision.status;
  const d = decision.changes;
  if (d.startedOn !== undefined) patch.started_on = d.startedOn;
  if (d.completedOn !== undefined) patch.completed_on = d.completedOn;
  if (d.approvedOn !== undefined) patch.approved_on = d.approvedOn;
  if (d.expiresOn !== undefined) {
    patch.expires_on = d.expiresOn;
    patch.expiration_overridden = 0;
  }
  if (decision.startsNewCycle) {
    patch.cycle = record.cycle + 1;
    patch.required_done = 0;
    // A renewal by doing the work again: the new cycle starts on its completion date.
    patch.cycle_starts_on = null;
  }
  return patch;
}

/** Writes a batch of record changes; records with the same patch are updated together. */
export async function applyDecisions(trx: Executor, changes: readonly RecordChange[], w: WriteContext): Promise<Applied> {
  if (changes.length === 0) return { changed: 0, emailsQueued: 0, remindersQueued: 0, remindersWithdrawn: 0 };
  const patches: Array<Partial<RecordRow> & { id: number }> = [];
  const history: HistoryEntry[] = [];
  const emailDue: number[] = [];
  for (const change of changes) {
    const { record, decision } = change;
    const patch = patchFor(change, w.at);
    patches.push({ ...patch, id: record.id });
    history.push({
      record: { id: record.id, cycle: patch.cycle ?? record.cycle },
      from: record.status,
      to: decision.status,
      kind: record.status !== decision.status ? 'status' : change.kind,
      detail: change.detail,
      reason: change.reason,
      rule: decision.rule,
    });
    if (decision.queueExpiringEmail) emailDue.push(record.id);
  }
  await bulkUpdate(trx, 'records', patches);
  await insertHistory(trx, history, w);
  const changedIds = changes.map((c) => c.record.id);
  const outbox = await queueExpiringEmails(trx, emailDue, w);
  const withdrawn = await withdrawUntrueEmails(trx, changedIds, w);
  const requeued = await requeueWithdrawnEmails(trx, emailDue);
  // Dates, status or cycle may have changed what the renewal credits amount to: kept before the row is logged.
  await refreshCredits(trx, changedIds);
  await logStoredRows(trx, 'records', 'record', 'update', changedIds, w.at);
  await logStoredRows(trx, 'outbox', 'outbox', 'insert', outbox, w.at);
  await logStoredRows(trx, 'outbox', 'outbox', 'update', [...withdrawn, ...requeued], w.at);
  const reminders = await settleReminders(trx, changedIds, w.today, w.at);
  return { changed: changes.length, emailsQueued: outbox.length + requeued.length, remindersQueued: reminders.queued, remindersWithdrawn: reminders.withdrawn };
}

/**
 * The outbox tells the truth (SPEC §6): a "Certification Expiring" email whose
 * record is no longer Expiring on that date is withdrawn — kept, marked, never
 * sent. A queued one is withdrawn whatever the record became (even Expired: the
 * notice would arrive after the date); one already handed to the central system
 * is withdrawn, as its own logged change, only when the record was kept from
 * expiring (date extended, n changed, cancelled, renewed) — an email sent before a
 * certification lapsed on its date stays true. Answers the ids of the emails withdrawn.
 */
async function withdrawUntrueEmails(trx: Executor, recordIds: readonly number[], w: WriteContext): Promise<number[]> {
  const withdrawn: number[] = [];
  for (let i = 0; i < recordIds.length; i += BULK_ROWS) {
    const rows = await trx.raw<Array<{ id: number }>>(
      `UPDATE outbox SET state = 'withdrawn', withdrawn_at = ?,
         withdrawn_reason = (SELECT CASE WHEN r.status = 'Expiring' THEN 'The expiration date is now ' || coalesce(r.expires_on, 'none')
                                         ELSE 'The record is ' || r.status || ' now' END
                             FROM records r WHERE r.id = outbox.record_id)
       WHERE kind = 'certification-expiring' AND record_id IN (SELECT value FROM json_each(?)) AND state IN ('queued', 'exported')
         AND EXISTS (SELECT 1 FROM records r WHERE r.id = outbox.record_id
                     AND (r.status <> 'Expiring' OR r.expires_on IS NOT outbox.expires_on)
                     AND (outbox.state = 'queued' OR r.status <> 'Expired'))
       RETURNING id`,
      [w.at, JSON.stringify(recordIds.slice(i, i + BULK_ROWS))],
    );
    withdrawn.push(...rows.map((r) => r.id));
  }
  return withdrawn.sort((a, b) => a - b);
}

/** A record Expiring again on the date of an email withdrawn earlier (n 30 → 60 → 30 → 60): that email is due again, queued once more. */
async function requeueWithdrawnEmails(trx: Executor, recordIds: readonly number[]): Promise<number[]> {
  const queued: number[] = [];
  for (let i = 0; i < recordIds.length; i += BULK_ROWS) {
    const rows = await trx.raw<Array<{ id: number }>>(
      `UPDATE outbox SET state = 'queued', withdrawn_at = NULL, withdrawn_reason = NULL
       WHERE kind = 'certification-expiring' AND record_id IN (SELECT value FROM json_each(?)) AND state = 'withdrawn'
         AND EXISTS (SELECT 1 FROM records r WHERE r.id = outbox.record_id AND r.status = 'Expiring' AND r.expires_on = outbox.expires_on)
       RETURNING id`,
      [JSON.stringify(recordIds.slice(i, i + BULK_ROWS))],
    );
    queued.push(...rows.map((r) => r.id));
  }
  return queued.sort((a, b) => a - b);
}

export interface HistoryEntry {
  /** The record as it is after the change (a renewal's entry belongs to the new cycle). */
  record: Pick<RecordRow, 'id' | 'cycle'>;
  from: RecordRow['status'] | null;
  to: RecordRow['status'];
  kind: HistoryKind;
  detail?: string;
  reason?: string;
  rule: string;
}

/** Appends history entries (and their change-log entries); history is never edited. */
export async function insertHistory(trx: Executor, entries: readonly HistoryEntry[], w: WriteContext): Promise<void> {
  const rows = entries.map((e) => ({
    record_id: e.record.id,
    cycle: e.record.cycle,
    kind: e.kind,
    from_status: e.from,
    to_status: e.to,
    detail: e.detail ?? '',
    reason: e.reason?.trim() ?? '',
    rule: e.rule,
    actor_id: w.actor.id,
    actor_name: w.actor.name,
    on_date: w.today,
    at: w.at,
  }));
  const ids = await bulkInsert(trx, 'record_history', rows, { returning: 'id' });
  await logStoredRows(trx, 'record_history', 'history', 'insert', ids, w.at);
}

/** Writes one record change and answers the record as it is now stored. */
export async function applyOne(trx: Executor, change: RecordChange, w: WriteContext): Promise<RecordRow> {
  await applyDecisions(trx, [change], w);
  const record = (await trx('records').where({ id: change.record.id }).first()) as RecordRow | undefined;
  if (!record) throw new Error(`Record ${change.record.id} disappeared while it was being changed.`);
  return record;
}

/**
 * One email per record and expiration date, however often the record enters
 * Expiring. Reads the records as just written; answers the ids of the emails queued.
 */
export async function queueExpiringEmails(trx: Executor, recordIds: readonly number[], w: WriteContext): Promise<number[]> {
  const queued: number[] = [];
  for (let i = 0; i < recordIds.length; i += CHUNK) {
    const details: Array<ContactRow & { record_id: number; expires_on: string | null; program_name: string }> = await whereInJson(
      trx('records as r').join('contacts as c', 'c.id', 'r.contact_id').join('programs as p', 'p.id', 'r.program_id'),
      'r.id',
      recordIds.slice(i, i + CHUNK),
    )
      .orderBy('r.id')
      .select('c.*', 'r.id as record_id', 'r.expires_on', 'p.name as program_name');
    const rows = details.flatMap((d) => {
      if (d.expires_on === null) return [];
      const email = renderExpiringEmail(w.settings, {
        contactName: displayName(d),
        certification: d.program_name,
        expirationDate: d.expires_on,
      });
      return [
        {
          kind: 'certification-expiring',
          record_id: d.record_id,
          expires_on: d.expires_on,
          to_email: d.email,
          to_name: displayName(d),
          subject: email.subject,
          body: email.body,
          state: 'queued',
          created_at: w.at,
        },
      ];
    });
    for (let j = 0; j < rows.length; j += 40) {
      const inserted: Array<{ id: number }> = await trx('outbox')
        .insert(rows.slice(j, j + 40))
        .onConflict(['kind', 'record_id', 'expires_on'])
        .ignore()
        .returning('id');
      queued.push(...inserted.map((r) => r.id));
    }
  }
  return queued.sort((a, b) => a - b);
}
