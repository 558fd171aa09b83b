/** Row shapes of the tables services read, as SQLite returns them. */
import type { CalendarDate } from '../rules/calendar';
import type { Status } from '../rules/statuses';

export interface RecordRow {
  id: number;
  contact_id: number;
  program_id: number;
  status: Status;
  sort_name: string;
  cycle: number;
  applied_on: CalendarDate | null;
  started_on: CalendarDate | null;
  completed_on: CalendarDate | null;
  approved_on: CalendarDate | null;
  expires_on: CalendarDate | null;
  expiration_overridden: number;
  required_total: number;
  required_done: number;
  notes: string;
  created_at: string;
  updated_at: string;
  /** First day of the current cycle once renewed by credits; null: the completion date starts it (migration 010). */
  cycle_starts_on: CalendarDate | null;
  /** Kept by services/credits.ts: renewal credits still needed, null when no requirement applies. */
  credits_needed: number | null;
  /** Kept by services/credits.ts: the last day the credits that count meet the requirement pro rata. */
  credits_on_track_until: CalendarDate | null;
}

export interface ProgramRow {
  id: number;
  central_id: string | null;
  code: string;
  name: string;
  version: string;
  category: string;
  description: string;
  require_approval: number;
  require_completion_approval: number;
  expiration_kind: 'never' | 'period' | 'fixed';
  expiration_amount: number | null;
  expiration_unit: 'days' | 'months' | 'years' | null;
  expiration_fixed_on: CalendarDate | null;
  /** Renewal requirement (migration 010): total credits, null when the program has none. */
  renewal_credits: number | null;
  /** JSON: [{ category, credits }]. */
  renewal_minimums: string;
  renewal_carry_over_cap: number | null;
  /** 1: a renewal waits in Admin Review. */
  renewal_review: number;
  archived_at: string | null;
  created_at: string;
  updated_at: string;
  /** The reminder schedule as JSON (domain/reminders.ts); '[]' for none. */
  reminder_schedule: string;
}

export interface ComponentRow {
  id: number;
  program_id: number;
  name: string;
  kind: 'course' | 'exam' | 'task' | 'document';
  credits: number;
  credit_unit: 'credits' | 'hours';
  required: number;
  position: number;
  archived_at: string | null;
}

export interface ContactRow {
  id: number;
  central_id: string | null;
  member_number: string | null;
  first_name: string;
  last_name: string;
  email: string;
  organization: string;
  phone: string;
  name_key: string;
  /** Search keys (migration 009): email, organization and member number folded as typed words are. */
  email_key: string;
  organization_key: string;
  member_key: string;
  created_at: string;
  updated_at: string;
}

export interface HistoryRow {
  id: number;
  record_id: number;
  cycle: number;
  /** 'check': a correction by the record checker; 'credit': a CE activity added or removed (issue 18). */
  kind: 'status' | 'expiration' | 'component' | 'note' | 'enrollment' | 'check' | 'credit';
  from_status: Status | null;
  to_status: Status | null;
  detail: string;
  reason: string;
  rule: string;
  actor_id: number | null;
  actor_name: string;
  on_date: CalendarDate;
  at: string;
}
