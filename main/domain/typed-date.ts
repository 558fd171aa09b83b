/**
 * A date as staff type it into a date field: 2026-03-10, or as the app shows
 * dates, 10 Mar 2026 (or 10 March 2026). Only real calendar days: 2026-02-30
 * is an error with its reason, never 2 March. Pure; the renderer bundles it.
 */
import { calendarDateProblem, daysInMonth, isCalendarDate, type CalendarDate } from '../rules/calendar';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const SHOWN = /^(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{4})$/;

export type TypedDate = { date: CalendarDate } | { problem: string };

/** The calendar date `text` names, or why it names none; null for empty text. */
export function parseTypedDate(text: string): TypedDate | null {
  const value = text.trim();
  if (value === '') return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const problem = calendarDateProblem(value);
    return problem === null ? { date: value } : { problem };
  }
  const shown = SHOWN.exec(value);
  if (shown) {
    const word = (shown[2] ?? '').toLowerCase();
    const month = MONTHS.findIndex((m, i) => word === m || word === (MONTH_NAMES[i] ?? '').toLowerCase() || (word === 'sept' && m === 'sep')) + 1;
    const day = Number(shown[1]);
    const year = Number(shown[3]);
    if (month === 0) return { problem: `"${shown[2] ?? ''}" is not a month; type a date like 10 Mar 2026 or 2026-03-10.` };
    const date = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    if (isCalendarDate(date)) return { date };
    return { problem: `${value} is not a date: ${MONTH_NAMES[month - 1] ?? ''} ${year} has ${daysInMonth(year, month)} days.` };
  }
  return { problem: `Type a date like 2026-03-10 or 10 Mar 2026 (not "${value.slice(0, 40)}").` };
}
