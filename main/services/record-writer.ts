/**
 * The one write path of certification records. Every change of a record goes
 * through `applyDecisions`, inside the caller's transaction: the record, its
 * history entry, its change-log entries and, where due, exactly one
 * "Certification Expiring" email.
 */
import type { CalendarDate } from '../rules/calendar';
import type { Decision } from '../rules/engine';
import { bulkInsert } from '../db/bulk-insert';
import { whereInJson } from '../db/where-in-json';
import { changesFor, logChanges, type Change } from './changelog';
import type { Actor, Executor } from './context';
import { displayName } from './contacts';
import { renderExpiringEmail } from '../rules/expiring-email';
import type { ContactRow, HistoryRow, RecordRow } from './rows';
import type { Settings } from './settings';

export type HistoryKind = HistoryRow['kind'];

export interface RecordChange {
  record: RecordRow;
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

const CHUNK = 400;

export interface Applied {
  records: RecordRow[];
  emailsQueued: number;
}

function patchFor(change: RecordChange, at: string): Partial<RecordRow> {
  const { record, decision } = change;
  const patch: Partial<RecordRow> = { ...change.extra, status: decision.status, updated_at: at };
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
  }
  return patch;
}

/** Writes a batch of record changes; records with the same patch are updated together. */
export async function applyDecisions(trx: Executor, changes: readonly RecordChange[], w: WriteContext): Promise<Applied> {
  if (changes.length === 0) return { records: [], emailsQueued: 0 };
  const updated: RecordRow[] = [];
  const groups = new Map<string, { patch: Partial<RecordRow>; ids: number[] }>();
  for (const change of changes) {
    const patch = patchFor(change, w.at);
    updated.push({ ...change.record, ...patch });
    const key = JSON.stringify(patch);
    const group = groups.get(key) ?? { patch, ids: [] };
    group.ids.push(change.record.id);
    groups.set(key, group);
  }
  for (const { patch, ids } of groups.values()) {
    await whereInJson(trx('records'), 'id', ids).update(patch);
  }

  await insertHistory(
    trx,
    changes.map((change, i) => ({
      record: updated[i] as RecordRow,
      from: change.record.status,
      to: change.decision.status,
      kind: change.record.status !== change.decision.status ? 'status' : change.kind,
      detail: change.detail,
      reason: change.reason,
      rule: change.decision.rule,
    })),
    w,
  );

  const outbox = await queueExpiringEmails(
    trx,
    updated.filter((_, i) => changes[i]?.decision.queueExpiringEmail),
    w,
  );
  const log: Change[] = [
    ...changesFor('record', 'update', updated),
    ...changesFor('outbox', 'insert', outbox),
  ];
  await logChanges(trx, log, w.at);
  return { records: updated, emailsQueued: outbox.length };
}

export interface HistoryEntry {
  record: RecordRow;
  from: RecordRow['status'] | null;
  to: RecordRow['status'];
  kind: HistoryKind;
  detail?: string;
  reason?: string;
  rule: string;
}

/** Appends history entries (and their change-log entries); history is never edited. */
export async function insertHistory(trx: Executor, entries: readonly HistoryEntry[], w: WriteContext): Promise<HistoryRow[]> {
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
  const history = await bulkInsert<HistoryRow>(trx, 'record_history', rows, { returning: true });
  await logChanges(trx, changesFor('history', 'insert', history), w.at);
  return history;
}

/** Writes one record change and answers the record as it now is. */
export async function applyOne(trx: Executor, change: RecordChange, w: WriteContext): Promise<RecordRow> {
  const [record] = (await applyDecisions(trx, [change], w)).records;
  if (!record) throw new Error('applyDecisions returned no record');
  return record;
}

/** One email per record and expiration date, however often the record enters Expiring. */
async function queueExpiringEmails(trx: Executor, records: readonly RecordRow[], w: WriteContext): Promise<Array<{ id: number }>> {
  const queued: Array<{ id: number }> = [];
  for (let i = 0; i < records.length; i += CHUNK) {
    const slice = records.slice(i, i + CHUNK);
    const details: Array<ContactRow & { record_id: number; program_name: string }> = await trx('records as r')
      .join('contacts as c', 'c.id', 'r.contact_id')
      .join('programs as p', 'p.id', 'r.program_id')
      .whereIn(
        'r.id',
        slice.map((r) => r.id),
      )
      .select('c.*', 'r.id as record_id', 'p.name as program_name');
    const byRecord = new Map(details.map((d) => [d.record_id, d]));
    const rows = slice.flatMap((record) => {
      const d = byRecord.get(record.id);
      if (!d || record.expires_on === null) return [];
      const email = renderExpiringEmail(w.settings, {
        contactName: displayName(d),
        certification: d.program_name,
        expirationDate: record.expires_on,
      });
      return [
        {
          kind: 'certification-expiring',
          record_id: record.id,
          expires_on: record.expires_on,
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
      const inserted = (await trx('outbox')
        .insert(rows.slice(j, j + 40))
        .onConflict(['kind', 'record_id', 'expires_on'])
        .ignore()
        .returning('*')) as Array<{ id: number }>;
      queued.push(...inserted);
    }
  }
  return queued;
}
