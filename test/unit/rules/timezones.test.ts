/**
 * RELIABILITY.md promise 5: results are the same under any TZ of the machine.
 * The probe script runs once per TZ in its own Node process (TZ is read at
 * start-up, so it cannot be changed inside this one), and every answer must be
 * identical and correct.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CalendarDate } from '../../../main/rules/calendar';
import type { ProbeOutput } from './fixtures/tz-probe';
import { BOUNDARY_EXPIRY_DATES, BOUNDARY_N, PROBES, TODAY_IN_CASES, type Probe } from './fixtures/tz-cases';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROBE_SCRIPT = fileURLToPath(new URL('./fixtures/tz-probe.ts', import.meta.url));

/**
 * The machine zones, with Date#getTimezoneOffset() in mid-January and mid-July 2026
 * and the names ICU may report for them (some ICU versions still say Asia/Calcutta).
 */
const MACHINE_ZONES: ReadonlyArray<{ tz: string; names: readonly string[]; offsetJanuary: number; offsetJuly: number }> = [
  { tz: 'Pacific/Kiritimati', names: ['Pacific/Kiritimati'], offsetJanuary: -840, offsetJuly: -840 },
  { tz: 'America/New_York', names: ['America/New_York'], offsetJanuary: 300, offsetJuly: 240 },
  { tz: 'Australia/Lord_Howe', names: ['Australia/Lord_Howe'], offsetJanuary: -660, offsetJuly: -630 },
  { tz: 'Asia/Kolkata', names: ['Asia/Kolkata', 'Asia/Calcutta'], offsetJanuary: -330, offsetJuly: -330 },
];

/** Test oracle only: UTC day arithmetic (TZ-independent), to check the probe's dates. */
function oracleAddDays(date: CalendarDate, days: number): CalendarDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function expectedStatus(n: number, probe: Probe): 'Active' | 'Expiring' | 'Expired' {
  if (probe === 'dayAfter') return 'Expired';
  if (probe === 'dayBeforeWindow' || n === 0) return 'Active';
  return 'Expiring';
}

function expectedDate(expiresOn: CalendarDate, n: number, probe: Probe): CalendarDate {
  if (probe === 'dayBeforeWindow') return oracleAddDays(expiresOn, -n - 1);
  if (probe === 'windowStart') return oracleAddDays(expiresOn, -n);
  if (probe === 'expirationDay') return expiresOn;
  return oracleAddDays(expiresOn, 1);
}

const outputs = new Map<string, ProbeOutput>();

beforeAll(() => {
  for (const { tz } of MACHINE_ZONES) {
    const stdout = execFileSync('npx', ['tsx', PROBE_SCRIPT], {
      cwd: ROOT,
      env: { ...process.env, TZ: tz },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    outputs.set(tz, JSON.parse(stdout) as ProbeOutput);
  }
});

function outputFor(tz: string): ProbeOutput {
  const out = outputs.get(tz);
  if (!out) throw new Error(`no probe output for TZ=${tz}`);
  return out;
}

describe('the same answers under any machine TZ', () => {
  it.each(MACHINE_ZONES)('the child process really ran with TZ=$tz', ({ tz, names, offsetJanuary, offsetJuly }) => {
    const { machine } = outputFor(tz);
    expect(machine).toEqual({ tz, resolvedZone: expect.any(String), offsetJanuary, offsetJuly });
    expect(names).toContain(machine.resolvedZone);
  });

  it('all four outputs are identical', () => {
    const [first, ...rest] = MACHINE_ZONES.map(({ tz }) => outputFor(tz).results);
    expect(first).toBeDefined();
    for (const [i, results] of rest.entries()) {
      expect(results, `TZ=${MACHINE_ZONES[i + 1]?.tz} vs TZ=${MACHINE_ZONES[0]?.tz}`).toEqual(first);
    }
  });

  describe.each(MACHINE_ZONES.map((z) => z.tz))('TZ=%s', (tz) => {
    it('todayIn gives the office day for every instant', () => {
      const got = outputFor(tz).results.todayIn;
      expect(got).toEqual(TODAY_IN_CASES.map((c) => ({ zone: c.zone, instant: c.instant, date: c.expected })));
    });

    it('Expiring / Expired boundaries for n = 0, 1, 7, 30, 90 are exact', () => {
      const rows = outputFor(tz).results.boundaries;
      const ns = [0, ...BOUNDARY_N];
      expect(rows).toHaveLength(BOUNDARY_EXPIRY_DATES.length * ns.length * PROBES.length);
      let i = 0;
      for (const expiresOn of BOUNDARY_EXPIRY_DATES) {
        for (const n of ns) {
          for (const probe of PROBES) {
            expect(rows[i++], `${expiresOn} n=${n} ${probe}`).toEqual({
              expiresOn,
              n,
              probe,
              date: expectedDate(expiresOn, n, probe),
              status: expectedStatus(n, probe),
            });
          }
        }
      }
    });

    it('spot checks: Feb 29, Dec 31 → Jan 1, DST days', () => {
      const rows = outputFor(tz).results.boundaries;
      const find = (expiresOn: string, n: number, probe: Probe) => rows.find((r) => r.expiresOn === expiresOn && r.n === n && r.probe === probe);
      expect(find('2028-03-01', 1, 'windowStart')).toMatchObject({ date: '2028-02-29', status: 'Expiring' });
      expect(find('2028-03-01', 1, 'dayBeforeWindow')).toMatchObject({ date: '2028-02-28', status: 'Active' });
      expect(find('2028-02-29', 7, 'dayAfter')).toMatchObject({ date: '2028-03-01', status: 'Expired' });
      expect(find('2026-12-31', 30, 'dayAfter')).toMatchObject({ date: '2027-01-01', status: 'Expired' });
      expect(find('2027-01-01', 90, 'windowStart')).toMatchObject({ date: '2026-10-03', status: 'Expiring' });
      expect(find('2026-03-08', 1, 'dayAfter')).toMatchObject({ date: '2026-03-09', status: 'Expired' });
      expect(find('2026-11-01', 7, 'windowStart')).toMatchObject({ date: '2026-10-25', status: 'Expiring' });
      expect(find('2026-10-04', 1, 'windowStart')).toMatchObject({ date: '2026-10-03', status: 'Expiring' });
      expect(find('2026-04-05', 0, 'expirationDay')).toMatchObject({ date: '2026-04-05', status: 'Active' });
    });

    it('calendar arithmetic and completion dates', () => {
      expect(outputFor(tz).results.calendar).toEqual({
        feb29PlusOneYear: '2029-02-28',
        jan31PlusOneMonth: '2026-02-28',
        dec31PlusOneDay: '2027-01-01',
        nyDstSpringDaysBetween: 2,
        nyDstFallDaysBetween: 2,
        lordHoweDstStartDaysBetween: 2,
        completionStatusOnFeb29: 'Active',
        completionExpiresOnFeb29: '2029-02-28',
      });
    });
  });
});
