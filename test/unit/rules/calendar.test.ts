import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  addYears,
  compareDates,
  daysBetween,
  daysInMonth,
  fromDayNumber,
  isCalendarDate,
  isValidTimeZone,
  todayIn,
  toDayNumber,
} from '../../../main/rules/calendar';
import { TODAY_IN_CASES } from './fixtures/tz-cases';

/**
 * Test oracle only: day arithmetic through Date.UTC, which never consults the
 * machine's TZ. The app itself must not compute dates this way (RELIABILITY.md 5).
 */
function oracleAddDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

describe('addDays', () => {
  it.each([
    ['2026-12-31', 1, '2027-01-01'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2026-12-25', 7, '2027-01-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2028-02-29', 1, '2028-03-01'],
    ['2028-03-01', -1, '2028-02-29'],
    ['2027-02-28', 1, '2027-03-01'],
    ['2027-03-01', -1, '2027-02-28'],
    ['2100-02-28', 1, '2100-03-01'], // 2100 is not a leap year
    ['2000-02-28', 1, '2000-02-29'], // 2000 is
    ['2026-01-01', 365, '2027-01-01'],
    ['2028-01-01', 366, '2029-01-01'],
    ['2026-12-31', 90, '2027-03-31'],
    ['2027-01-01', -90, '2026-10-03'],
    ['2028-03-01', -90, '2027-12-02'],
    ['2026-03-07', 1, '2026-03-08'], // New York clocks change; calendar days do not care
    ['2026-03-08', 1, '2026-03-09'],
    ['2026-11-01', 1, '2026-11-02'],
    ['2026-10-04', -1, '2026-10-03'],
    ['2026-06-15', 0, '2026-06-15'],
    ['1970-01-01', -1, '1969-12-31'],
  ])('%s %+d days = %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it('agrees with a UTC oracle for every day from 1999 to 2032, stepping by -400..400 days', () => {
    let date = '1999-01-01';
    let checked = 0;
    while (date < '2032-01-01') {
      for (const step of [-400, -366, -365, -90, -30, -7, -1, 0, 1, 7, 30, 90, 365, 366, 400]) {
        expect(addDays(date, step)).toBe(oracleAddDays(date, step));
      }
      date = oracleAddDays(date, 1);
      checked++;
    }
    expect(checked).toBe(12_053);
  });

  it('refuses a string that is not a calendar date', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addDays('2026-1-1', 1)).toThrow(RangeError);
  });
});

describe('day numbers', () => {
  it('counts days from 1970-01-01', () => {
    expect(toDayNumber('1970-01-01')).toBe(0);
    expect(toDayNumber('1970-01-02')).toBe(1);
    expect(toDayNumber('1969-12-31')).toBe(-1);
    expect(toDayNumber('2000-01-01')).toBe(10_957);
    expect(toDayNumber('2000-03-01')).toBe(11_017);
    expect(fromDayNumber(11_016)).toBe('2000-02-29');
    expect(fromDayNumber(0)).toBe('1970-01-01');
  });

  it('round-trips and matches Date.UTC for every day of 1999..2031', () => {
    let date = '1999-01-01';
    while (date < '2032-01-01') {
      const n = toDayNumber(date);
      const [y, m, d] = date.split('-').map(Number) as [number, number, number];
      expect(n).toBe(Date.UTC(y, m - 1, d) / 86_400_000);
      expect(fromDayNumber(n)).toBe(date);
      date = oracleAddDays(date, 1);
    }
  });
});

describe('daysInMonth', () => {
  it('knows leap years', () => {
    expect(daysInMonth(2028, 2)).toBe(29);
    expect(daysInMonth(2027, 2)).toBe(28);
    expect(daysInMonth(2100, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(2026, 4)).toBe(30);
    expect(daysInMonth(2026, 12)).toBe(31);
  });
});

describe('addMonths (clamps to the last day of the target month)', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2026-03-31', 1, '2026-04-30'],
    ['2026-05-31', 1, '2026-06-30'],
    ['2026-08-31', 1, '2026-09-30'],
    ['2026-01-30', 1, '2026-02-28'],
    ['2026-01-28', 1, '2026-02-28'],
    ['2026-01-15', 1, '2026-02-15'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-12-31', 1, '2027-01-31'],
    ['2026-11-30', 3, '2027-02-28'],
    ['2027-11-30', 3, '2028-02-29'],
    ['2026-01-15', -1, '2025-12-15'],
    ['2026-01-31', -2, '2025-11-30'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2028-03-31', -1, '2028-02-29'],
    ['2026-06-30', 12, '2027-06-30'],
    ['2026-06-30', 24, '2028-06-30'],
    ['2026-06-30', -12, '2025-06-30'],
    ['2026-05-31', 0, '2026-05-31'],
    ['2026-02-28', 1, '2026-03-28'], // clamping does not stick: Feb 28 + 1 month is Mar 28
  ])('%s %+d months = %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });
});

describe('addYears (Feb 29 + 1 year = Feb 28)', () => {
  it.each([
    ['2028-02-29', 1, '2029-02-28'],
    ['2028-02-29', 2, '2030-02-28'],
    ['2028-02-29', 3, '2031-02-28'],
    ['2028-02-29', 4, '2032-02-29'],
    ['2028-02-29', -1, '2027-02-28'],
    ['2028-02-29', -4, '2024-02-29'],
    ['2096-02-29', 4, '2100-02-28'], // 2100 is not a leap year
    ['2096-02-29', 4 + 400, '2500-02-28'],
    ['1996-02-29', 4, '2000-02-29'],
    ['2027-02-28', 1, '2028-02-28'],
    ['2028-02-28', 1, '2029-02-28'],
    ['2028-03-01', 1, '2029-03-01'],
    ['2026-12-31', 1, '2027-12-31'],
    ['2027-01-01', 1, '2028-01-01'],
    ['2026-06-15', 0, '2026-06-15'],
    ['2026-06-15', 10, '2036-06-15'],
  ])('%s %+d years = %s', (date, years, expected) => {
    expect(addYears(date, years)).toBe(expected);
  });
});

describe('daysBetween', () => {
  it.each([
    ['2026-12-31', '2027-01-01', 1],
    ['2027-01-01', '2026-12-31', -1],
    ['2026-06-15', '2026-06-15', 0],
    ['2028-02-28', '2028-03-01', 2],
    ['2027-02-28', '2027-03-01', 1],
    ['2026-01-01', '2027-01-01', 365],
    ['2028-01-01', '2029-01-01', 366],
    ['2000-01-01', '2100-01-01', 36_525], // 25 leap days: 2000 is one, 2100 is outside
    ['2100-01-01', '2200-01-01', 36_524], // 24: 2100 is not a leap year
    ['2026-03-07', '2026-03-09', 2], // across New York's 23-hour day
    ['2026-10-31', '2026-11-02', 2], // across New York's 25-hour day
    ['2026-10-03', '2026-10-05', 2], // across Lord Howe's 23.5-hour day
    ['2026-04-04', '2026-04-06', 2], // across Lord Howe's 24.5-hour day
    ['2026-10-03', '2027-01-01', 90],
  ])('from %s to %s is %d days', (from, to, expected) => {
    expect(daysBetween(from, to)).toBe(expected);
  });

  it('is the inverse of addDays', () => {
    for (const n of [-400, -90, -1, 0, 1, 29, 365, 1461]) {
      expect(daysBetween('2028-02-29', addDays('2028-02-29', n))).toBe(n);
    }
  });

  it('refuses a date that does not exist', () => {
    expect(() => daysBetween('2026-02-30', '2026-03-01')).toThrow(RangeError);
  });
});

describe('compareDates', () => {
  it('orders calendar dates', () => {
    expect(compareDates('2026-12-31', '2027-01-01')).toBe(-1);
    expect(compareDates('2027-01-01', '2026-12-31')).toBe(1);
    expect(compareDates('2028-02-29', '2028-02-29')).toBe(0);
    expect(compareDates('2026-09-30', '2026-10-01')).toBe(-1);
  });
});

describe('isCalendarDate', () => {
  it.each(['2026-01-01', '2026-12-31', '2028-02-29', '2000-02-29', '2026-04-30', '1970-01-01', '9999-12-31'])('accepts %s', (value) => {
    expect(isCalendarDate(value)).toBe(true);
  });

  it.each([
    '2026-02-30',
    '2026-02-29', // 2026 is not a leap year
    '2027-02-29',
    '2100-02-29', // nor is 2100
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-01-00',
    '2026-01-32',
    '2026-1-1',
    '2026-01-1',
    '2026-1-01',
    '26-01-01',
    '+02026-01-01',
    '2026/01/01',
    '20260101',
    ' 2026-01-01',
    '2026-01-01 ',
    '2026-01-01\n',
    '2026-01-01T00:00:00Z',
    '2026-01-01T00:00',
    '',
    'today',
  ])('rejects the string %j', (value) => {
    expect(isCalendarDate(value)).toBe(false);
  });

  it.each([
    ['a number', 20260101],
    ['a Date', new Date(Date.UTC(2026, 0, 1))],
    ['null', null],
    ['undefined', undefined],
    ['an object', { toString: () => '2026-01-01' }],
    ['an array', ['2026-01-01']],
    ['a boolean', true],
    ['a String object', new String('2026-01-01')],
  ])('rejects %s', (_label, value) => {
    expect(isCalendarDate(value)).toBe(false);
  });
});

describe('todayIn (the office time zone, not the machine one)', () => {
  it.each(TODAY_IN_CASES.map((c) => [c.zone, c.instant, c.expected, c.note] as const))('in %s at %s it is %s (%s)', (zone, instant, expected) => {
    const today = todayIn(zone, new Date(instant));
    expect(today).toBe(expected);
    expect(isCalendarDate(today)).toBe(true);
  });

  it('gives four different answers to "what day is it" for one instant across offices', () => {
    const instant = new Date('2027-01-01T04:30:00.000Z');
    expect(todayIn('Pacific/Kiritimati', instant)).toBe('2027-01-01'); // 18:30 Jan 1
    expect(todayIn('Australia/Lord_Howe', instant)).toBe('2027-01-01'); // 15:30 Jan 1
    expect(todayIn('UTC', instant)).toBe('2027-01-01');
    expect(todayIn('America/New_York', instant)).toBe('2026-12-31'); // 23:30 Dec 31
    expect(todayIn('Pacific/Pago_Pago', instant)).toBe('2026-12-31'); // UTC-11, 17:30 Dec 31
  });

  it('is the same calendar day for every minute of a DST-change day', () => {
    // New York 2026-03-08 runs from 05:00Z to 04:00Z next day (23 h).
    for (let t = Date.UTC(2026, 2, 8, 5, 0); t < Date.UTC(2026, 2, 9, 4, 0); t += 60_000) {
      expect(todayIn('America/New_York', new Date(t))).toBe('2026-03-08');
    }
    // Lord Howe 2026-10-04 runs from 13:30Z the day before to 13:00Z (23.5 h).
    for (let t = Date.UTC(2026, 9, 3, 13, 30); t < Date.UTC(2026, 9, 4, 13, 0); t += 60_000) {
      expect(todayIn('Australia/Lord_Howe', new Date(t))).toBe('2026-10-04');
    }
    // Lord Howe 2026-04-05 runs from 13:00Z the day before to 13:30Z (24.5 h).
    for (let t = Date.UTC(2026, 3, 4, 13, 0); t < Date.UTC(2026, 3, 5, 13, 30); t += 60_000) {
      expect(todayIn('Australia/Lord_Howe', new Date(t))).toBe('2026-04-05');
    }
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA zones and refuses made-up ones', () => {
    for (const zone of ['Pacific/Kiritimati', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC']) {
      expect(isValidTimeZone(zone)).toBe(true);
    }
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});
