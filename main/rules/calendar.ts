/**
 * Calendar dates as `YYYY-MM-DD` strings. All arithmetic is done on day numbers
 * (days since 1970-01-01 in the proleptic Gregorian calendar), never on
 * millisecond timestamps, so results do not depend on the machine's TZ.
 */
export type CalendarDate = string;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A date as a spreadsheet shows it in many locales: 12/01/2026, 1.12.2026, 01-12-2026. */
const SPREADSHEET_DATE = /^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$/;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  const lengths = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return lengths[month - 1] ?? 0;
}

interface Parts {
  year: number;
  month: number;
  day: number;
}

function parse(date: CalendarDate): Parts {
  const match = DATE_PATTERN.exec(date);
  if (!match) throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  const parts = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  if (parts.month < 1 || parts.month > 12 || parts.day < 1 || parts.day > daysInMonth(parts.year, parts.month)) {
    throw new RangeError(`No such day: ${date}`);
  }
  return parts;
}

export function isCalendarDate(value: unknown): value is CalendarDate {
  if (typeof value !== 'string' || !DATE_PATTERN.test(value)) return false;
  try {
    parse(value);
    return true;
  } catch {
    return false;
  }
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Why `value` is not a calendar date, in words ("2026-02-30 is not a date: February 2026 has 28 days."); null when it is one. */
export function calendarDateProblem(value: string): string | null {
  const text: string = value;
  if (isCalendarDate(value)) return null;
  const match = DATE_PATTERN.exec(text.trim());
  if (!match) {
    // 12/01/2026 is what a spreadsheet writes for a date column in its own format: day or month first
    // cannot be told, so it is never guessed, and the fix is in the spreadsheet.
    if (SPREADSHEET_DATE.test(text.trim()))
      return `${JSON.stringify(text.slice(0, 40))} is not in the form YYYY-MM-DD (is it day or month first?): write it like 2026-03-10; in a spreadsheet, format the column as yyyy-mm-dd.`;
    return `Enter a date like 2026-03-10 (not ${JSON.stringify(text.slice(0, 40))}).`;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12) return `${text} is not a date: there is no month ${month}.`;
  return `${text} is not a date: ${MONTH_NAMES[month - 1] ?? ''} ${year} has ${daysInMonth(year, month)} days${day === 0 ? ', and no day 0' : ''}.`;
}

function format({ year, month, day }: Parts): CalendarDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Howard Hinnant's days_from_civil: exact for every Gregorian date. */
export function toDayNumber(date: CalendarDate): number {
  const { year, month, day } = parse(date);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function fromDayNumber(dayNumber: number): CalendarDate {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return format({ year, month, day });
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Adds months, clamping to the last day of the target month (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const { year, month, day } = parse(date);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = (index % 12) + 1;
  return format({ year: targetYear, month: targetMonth, day: Math.min(day, daysInMonth(targetYear, targetMonth)) });
}

/** Adds years; Feb 29 + 1 year = Feb 28. */
export function addYears(date: CalendarDate, years: number): CalendarDate {
  return addMonths(date, years * 12);
}

export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

export function compareDates(a: CalendarDate, b: CalendarDate): number {
  // Zero-padded ISO dates order correctly as strings.
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The calendar date at `instant` in the given IANA time zone (the office's, not the machine's). */
export function todayIn(timeZone: string, instant: Date): CalendarDate {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The zone's offset from UTC at `instant`, in milliseconds (New York in winter: -5 h). */
function zoneOffsetMs(timeZone: string, instant: Date): number {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant a calendar day begins in `timeZone` (the first instant whose office date is `date`). */
export function startOfDayIn(timeZone: string, date: CalendarDate): Date {
  const { year, month, day } = parse(date);
  const midnightUtc = Date.UTC(year, month - 1, day);
  let t = midnightUtc - zoneOffsetMs(timeZone, new Date(midnightUtc));
  // Once more at the guess: the offset may differ there (a DST change near midnight).
  t = midnightUtc - zoneOffsetMs(timeZone, new Date(t));
  // Where midnight does not exist (DST starting at 00:00), the day starts at the first instant that is that date.
  while (todayIn(timeZone, new Date(t)) < date) t += 15 * 60 * 1000;
  return new Date(t);
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
