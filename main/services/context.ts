import type { Db } from '../db/database';
import { todayIn, type CalendarDate } from '../rules/calendar';

export type Role = 'admin' | 'staff';

/** Who makes a change; history names them. `id: null` is the system (the rules engine, imports). */
export interface Actor {
  id: number | null;
  name: string;
  role: Role | 'system';
}

export const SYSTEM: Actor = { id: null, name: 'system', role: 'system' };

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What every service needs: the database and the clock (injected so tests control time). */
/** scrypt's cost parameters for new password hashes. */
export interface PasswordCost {
  N: number;
  r: number;
  p: number;
}

export interface ServiceContext {
  db: Db;
  clock: Clock;
  /** Only automated tests lower it (a hash at OWASP's cost takes 0.3–1 s); the app keeps OWASP's. */
  passwordCost?: PasswordCost;
}

/** A transaction or the database: services compose inside one transaction. */
export type Executor = Db;

/** ISO timestamp of now, for audit columns; ordering always uses ids, never these. */
export function stamp(ctx: ServiceContext): string {
  return ctx.clock.now().toISOString();
}

export function officeToday(ctx: ServiceContext, timeZone: string): CalendarDate {
  return todayIn(timeZone, ctx.clock.now());
}

/** A refusal staff can read; handlers turn it into `{ ok: false, error }`. */
export class ServiceError extends Error {
  constructor(
    /** CONFIRM: allowed, but only when staff confirm it (the same call again with the confirmation). */
    readonly code: 'NOT_FOUND' | 'REFUSED' | 'INVALID' | 'CONFLICT' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'CONFIRM',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}
