/** The outbox as staff see it: queued, withdrawn and exported emails, searchable. */
import { escapeLike } from '../domain/text-search';
import type { Executor } from './context';

export interface OutboxRow {
  id: number;
  kind: string;
  record_id: number | null;
  expires_on: string | null;
  to_email: string;
  to_name: string;
  subject: string;
  body: string;
  state: OutboxState;
  created_at: string;
  exported_seq: number | null;
  /** When and why a queued or exported email was withdrawn (its record stopped being Expiring on that date). */
  withdrawn_at: string | null;
  withdrawn_reason: string | null;
  /** A reminder of the certification's schedule: the record's cycle and the days from the expiration date (negative before); null for the "Certification Expiring" email. */
  cycle: number | null;
  reminder_offset: number | null;
}

export const OUTBOX_STATES = ['queued', 'withdrawn', 'exported'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export async function listOutbox(
  db: Executor,
  input: { search?: string; state?: OutboxState | 'all'; limit?: number },
): Promise<{ rows: OutboxRow[]; total: number }> {
  const q = db('outbox');
  if (input.state && input.state !== 'all') void q.where('state', input.state);
  const search = input.search?.trim().toLowerCase() ?? '';
  if (search) {
    const like = `%${escapeLike(search)}%`;
    void q.where(
      (w) =>
        void w
          .whereRaw("lower(to_name) like ? escape '\\'", [like])
          .orWhereRaw("lower(to_email) like ? escape '\\'", [like])
          .orWhereRaw("lower(subject) like ? escape '\\'", [like]),
    );
  }
  const total = (await q.clone().count({ n: '*' }).first()) as { n: number } | undefined;
  const rows = (await q.orderBy('id', 'desc').limit(input.limit ?? 200)) as OutboxRow[];
  return { rows, total: Number(total?.n ?? 0) };
}
