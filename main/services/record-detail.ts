/** Everything the certification record screen shows, in one read. */
import { allowedMoves } from '../rules/engine';
import { type ManualMove } from '../rules/engine';
import { describeExpiration } from '../rules/expiration';
import type { Executor } from './context';
import { getContact } from './contacts';
import { getProgram, programComponents } from './programs';
import { expirationOf } from '../domain/program';
import { canOverrideExpiration, getRecordRow, RECORDING_STATUSES } from './records';
import type { RecordRow } from '../domain/rows';
import type { ContactRow, HistoryRow, ProgramRow } from '../domain/rows';

export interface ComponentProgress {
  id: number;
  name: string;
  kind: string;
  required: boolean;
  credits: number;
  creditUnit: string;
  completedOn: string | null;
  creditsEarned: number | null;
  note: string;
}

export interface RecordDetail {
  record: RecordRow;
  contact: ContactRow;
  program: ProgramRow & { expirationText: string };
  components: ComponentProgress[];
  history: HistoryRow[];
  moves: readonly ManualMove[];
  canMarkAllComplete: boolean;
  canRecordCompletions: boolean;
  canOverrideExpiration: boolean;
}

export async function recordDetail(db: Executor, id: number): Promise<RecordDetail> {
  const record = await getRecordRow(db, id);
  const [contact, program, components, progress, history] = await Promise.all([
    getContact(db, record.contact_id),
    getProgram(db, record.program_id),
    programComponents(db, record.program_id),
    db('component_progress').where({ record_id: id, cycle: record.cycle }).whereNull('removed_at') as Promise<
      Array<{ component_id: number; completed_on: string; credits: number; note: string }>
    >,
    db('record_history').where({ record_id: id }).orderBy('id', 'desc') as Promise<HistoryRow[]>,
  ]);
  return {
    record,
    contact,
    program: { ...program, expirationText: describeExpiration(expirationOf(program)) },
    components: components.map((c) => {
      const done = progress.find((p) => p.component_id === c.id);
      return {
        id: c.id,
        name: c.name,
        kind: c.kind,
        required: c.required === 1,
        credits: c.credits,
        creditUnit: c.credit_unit,
        completedOn: done?.completed_on ?? null,
        creditsEarned: done?.credits ?? null,
        note: done?.note ?? '',
      };
    }),
    history,
    moves: allowedMoves(record.status),
    canMarkAllComplete: record.status === 'In Progress',
    canRecordCompletions: RECORDING_STATUSES.includes(record.status),
    canOverrideExpiration: canOverrideExpiration(record),
  };
}
