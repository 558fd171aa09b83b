import { expirationColumns } from '../domain/program';
import type { ExpirationRule } from '../rules/expiration';
import { changesFor, logChanges } from './changelog';
import { ServiceError, stamp, type Executor, type ServiceContext } from './context';
import type { ComponentRow } from '../domain/rows';
import type { ProgramRow } from '../domain/rows';

export async function getProgram(db: Executor, id: number): Promise<ProgramRow> {
  const row = (await db('programs').where({ id }).first()) as ProgramRow | undefined;
  if (!row) throw new ServiceError('NOT_FOUND', `Certification ${id} does not exist.`);
  return row;
}

export async function listPrograms(db: Executor): Promise<ProgramRow[]> {
  return (await db('programs').orderBy('name')) as ProgramRow[];
}

/** The components a record must complete: active ones, in their order. */
export async function programComponents(db: Executor, programId: number): Promise<ComponentRow[]> {
  return (await db('components').where({ program_id: programId }).whereNull('archived_at').orderBy(['position', 'id'])) as ComponentRow[];
}

export interface NewComponent {
  name: string;
  kind: ComponentRow['kind'];
  credits: number;
  creditUnit: ComponentRow['credit_unit'];
  required: boolean;
}

export interface NewProgram {
  code: string;
  name: string;
  version?: string;
  category?: string;
  description?: string;
  requireApproval: boolean;
  requireCompletionApproval: boolean;
  expiration: ExpirationRule;
  components: NewComponent[];
}

/** Creates a certification program with its components, all or nothing. */
export async function createProgram(ctx: ServiceContext, input: NewProgram): Promise<ProgramRow> {
  return ctx.db.transaction(async (trx) => {
    if (await trx('programs').where({ code: input.code.trim() }).first()) {
      throw new ServiceError('CONFLICT', `The code ${input.code} is already used by another certification.`, 'code');
    }
    const at = stamp(ctx);
    const [program] = (await trx('programs')
      .insert({
        code: input.code.trim(),
        name: input.name.trim(),
        version: input.version ?? '1',
        category: input.category ?? '',
        description: input.description ?? '',
        require_approval: input.requireApproval,
        require_completion_approval: input.requireCompletionApproval,
        ...expirationColumns(input.expiration),
        created_at: at,
        updated_at: at,
      })
      .returning('*')) as ProgramRow[];
    if (!program) throw new Error('insert returned no row');
    const components = input.components.length
      ? ((await trx('components')
          .insert(
            input.components.map((c, position) => ({
              program_id: program.id,
              name: c.name.trim(),
              kind: c.kind,
              credits: c.credits,
              credit_unit: c.creditUnit,
              required: c.required,
              position,
            })),
          )
          .returning('*')) as ComponentRow[])
      : [];
    await logChanges(trx, [...changesFor('program', 'insert', [program]), ...changesFor('component', 'insert', components)], at);
    return program;
  });
}
