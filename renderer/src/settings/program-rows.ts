import type { ExpirationRule } from '../../../main/rules/expiration';
import type { ProgramRow } from '../../../main/services/rows';

/** The expiration rule of a program row (the same reading main does, for display). */
export function expirationOfRow(p: ProgramRow): ExpirationRule {
  if (p.expiration_kind === 'period' && p.expiration_amount && p.expiration_unit) return { kind: 'period', amount: p.expiration_amount, unit: p.expiration_unit };
  if (p.expiration_kind === 'fixed' && p.expiration_fixed_on) return { kind: 'fixed', date: p.expiration_fixed_on };
  return { kind: 'never' };
}
