/**
 * The benchmark's day, on its own: the bench process imports it without the generator (and faker),
 * so what it measures of its own memory is the app's, not its tools'.
 */
import type { CalendarDate } from '../main/rules/calendar';

export const BENCH_TODAY: CalendarDate = '2026-06-15';
export const BENCH_NOW = new Date(`${BENCH_TODAY}T15:00:00Z`);
