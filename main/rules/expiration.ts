import { addDays, addMonths, addYears, type CalendarDate } from './calendar';

/** How a certification program sets the expiration date of a completed record. */
export type ExpirationRule = { kind: 'never' } | { kind: 'period'; amount: number; unit: 'days' | 'months' | 'years' } | { kind: 'fixed'; date: CalendarDate };

/** The expiration date of a certification granted on `grantedOn`, or null when it never expires. */
export function computeExpiration(rule: ExpirationRule, grantedOn: CalendarDate): CalendarDate | null {
  switch (rule.kind) {
    case 'never':
      return null;
    case 'fixed':
      return rule.date;
    case 'period':
      if (rule.unit === 'days') return addDays(grantedOn, rule.amount);
      if (rule.unit === 'months') return addMonths(grantedOn, rule.amount);
      return addYears(grantedOn, rule.amount);
  }
}

export function describeExpiration(rule: ExpirationRule): string {
  switch (rule.kind) {
    case 'never':
      return 'never expires';
    case 'fixed':
      return `expires on ${rule.date}`;
    case 'period':
      return `expires ${rule.amount} ${rule.amount === 1 ? rule.unit.slice(0, -1) : rule.unit} after completion`;
  }
}
