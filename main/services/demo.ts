/**
 * Demo data for a fresh database: six certification programs, a few hundred
 * contacts and their records, built by replaying their lives through the real
 * services on a moving clock, so every status, date and history entry is one
 * the app itself would have written. Seeded: the same data every time.
 */
import { Faker, en } from '@faker-js/faker';
import { addDays, addYears, todayIn, toDayNumber, fromDayNumber, type CalendarDate } from '../rules/calendar';
import type { Status } from '../rules/statuses';
import { SYSTEM, type Actor, type Clock, type ServiceContext } from './context';
import { createContact } from './contacts';
import { createProgram, programComponents, type NewProgram } from './programs';
import { completeComponent } from './completions';
import { enroll, setStatus } from './records';
import type { ProgramRow } from '../domain/rows';
import { readSettings } from './settings';
import { runSweep } from './sweep';

const PROGRAMS: NewProgram[] = [
  {
    code: 'CAE',
    name: 'Certified Association Executive',
    category: 'Leadership',
    description: 'For senior staff of associations: governance, finance and strategy.',
    requireApproval: true,
    requireCompletionApproval: false,
    expiration: { kind: 'period', amount: 3, unit: 'years' },
    components: [
      { name: 'Association Governance', kind: 'course', credits: 12, creditUnit: 'hours', required: true },
      { name: 'Financial Stewardship', kind: 'course', credits: 10, creditUnit: 'hours', required: true },
      { name: 'CAE Examination', kind: 'exam', credits: 0, creditUnit: 'credits', required: true },
      { name: 'Mentoring session', kind: 'task', credits: 2, creditUnit: 'hours', required: false },
    ],
  },
  {
    code: 'CMP',
    name: 'Certified Meeting Professional',
    category: 'Events',
    description: 'Planning and running meetings, conferences and exhibitions.',
    requireApproval: false,
    requireCompletionApproval: false,
    expiration: { kind: 'period', amount: 5, unit: 'years' },
    components: [
      { name: 'Event Strategy', kind: 'course', credits: 8, creditUnit: 'credits', required: true },
      { name: 'Risk and Contracts', kind: 'course', credits: 6, creditUnit: 'credits', required: true },
      { name: 'CMP Examination', kind: 'exam', credits: 0, creditUnit: 'credits', required: true },
    ],
  },
  {
    code: 'ETH',
    name: 'Continuing Education in Ethics',
    category: 'Compliance',
    description: 'The yearly ethics requirement for practising members.',
    requireApproval: false,
    requireCompletionApproval: false,
    expiration: { kind: 'period', amount: 1, unit: 'years' },
    components: [
      { name: 'Ethics in Practice', kind: 'course', credits: 3, creditUnit: 'hours', required: true },
      { name: 'Case study review', kind: 'task', credits: 1, creditUnit: 'hours', required: true },
    ],
  },
  {
    code: 'BCS',
    name: 'Board Certified Specialist',
    category: 'Specialty',
    description: 'Specialist certification reviewed by the credentials committee before it is granted.',
    requireApproval: true,
    requireCompletionApproval: true,
    expiration: { kind: 'period', amount: 2, unit: 'years' },
    components: [
      { name: 'Specialty Coursework', kind: 'course', credits: 20, creditUnit: 'credits', required: true },
      { name: 'Supervised Practice Log', kind: 'task', credits: 40, creditUnit: 'hours', required: true },
      { name: 'Board Examination', kind: 'exam', credits: 0, creditUnit: 'credits', required: true },
    ],
  },
  {
    code: 'FNM',
    name: 'Foundations of Nonprofit Management',
    category: 'Leadership',
    description: 'An introductory certificate that does not expire.',
    requireApproval: false,
    requireCompletionApproval: false,
    expiration: { kind: 'never' },
    components: [
      { name: 'Nonprofit Basics', kind: 'course', credits: 4, creditUnit: 'hours', required: true },
      { name: 'Volunteer Management', kind: 'course', credits: 4, creditUnit: 'hours', required: true },
    ],
  },
  {
    code: 'DPC',
    name: 'Data Privacy Compliance',
    category: 'Compliance',
    description: 'Valid through the end of the current regulatory period.',
    requireApproval: false,
    requireCompletionApproval: false,
    expiration: { kind: 'period', amount: 18, unit: 'months' },
    components: [{ name: 'Privacy Regulation Update', kind: 'course', credits: 5, creditUnit: 'credits', required: true }],
  },
];

type Target = Status;

/** Contacts never share an email (a duplicate is refused): a generated one taken already gets the contact's number. */
function uniqueEmail(used: Set<string>, email: string, i: number): string {
  const unique = used.has(email) ? email.replace('@', `.${i}@`) : email;
  used.add(unique);
  return unique;
}

const TARGETS: Array<[Target, number]> = [
  ['In Progress', 22],
  ['Active', 26],
  ['Expiring', 9],
  ['Expired', 9],
  ['Applied', 8],
  ['Admin Review', 6],
  ['Declined', 4],
  ['Inactive', 5],
  ['Not Completed', 4],
  ['Cancelled', 4],
];

class MovingClock implements Clock {
  private current: Date;
  constructor(start: Date) {
    this.current = start;
  }
  now(): Date {
    return this.current;
  }
  setDay(day: CalendarDate): void {
    this.current = new Date(`${day}T12:00:00Z`);
  }
}

export interface DemoResult {
  contacts: number;
  records: number;
  byStatus: Record<string, number>;
}

export interface DemoOptions {
  contacts?: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Fills an empty database with demo data, in one transaction. */
export async function loadDemoData(ctx: ServiceContext, actor: Actor = SYSTEM, options: DemoOptions = {}): Promise<DemoResult> {
  const faker = new Faker({ locale: [en] });
  faker.seed(options.seed ?? 20261123);
  const contactCount = options.contacts ?? 300;
  return ctx.db.transaction(async (trx) => {
    if (await trx('records').first()) throw new Error('Demo data goes into an empty database only.');
    const settings = await readSettings(trx);
    const today = todayIn(settings.timeZone, ctx.clock.now());
    const clock = new MovingClock(ctx.clock.now());
    const demo: ServiceContext = { db: trx, clock };

    clock.setDay(addYears(today, -6));
    const programs: ProgramRow[] = [];
    for (const p of PROGRAMS) programs.push(await createProgram(demo, p));
    const byCode = (code: string): ProgramRow => programs.find((p) => p.code === code) as ProgramRow;

    const pickTarget = (): Target => {
      let roll = faker.number.int({ min: 1, max: TARGETS.reduce((a, [, w]) => a + w, 0) });
      for (const [t, w] of TARGETS) if ((roll -= w) <= 0) return t;
      return 'In Progress';
    };
    const programFor = (target: Target): ProgramRow => {
      if (target === 'Applied' || target === 'Declined') return byCode(faker.helpers.arrayElement(['CAE', 'BCS']));
      if (target === 'Admin Review') return byCode('BCS');
      if (target === 'Expiring' || target === 'Expired') return byCode(faker.helpers.arrayElement(['CAE', 'CMP', 'ETH', 'DPC']));
      return faker.helpers.arrayElement(programs.filter((p) => p.code !== 'BCS' || target !== 'Active'));
    };

    const counts: Record<string, number> = {};
    let records = 0;
    const usedEmails = new Set<string>();
    for (let i = 0; i < contactCount; i++) {
      options.onProgress?.(i, contactCount);
      clock.setDay(addDays(today, -faker.number.int({ min: 400, max: 2000 })));
      const firstName = faker.person.firstName();
      const lastName = faker.person.lastName();
      const contact = await createContact(demo, {
        firstName,
        lastName,
        email: uniqueEmail(usedEmails, faker.internet.email({ firstName, lastName }).toLowerCase(), i),
        memberNumber: `M${String(100000 + i)}`,
        organization: faker.company.name(),
        phone: faker.phone.number({ style: 'national' }),
      });
      // One contact in ten is known but enrolled nowhere (the "why isn't this person on my list?" case).
      const enrollments =
        i % 10 === 9
          ? 0
          : faker.helpers.weightedArrayElement([
              { value: 1, weight: 7 },
              { value: 2, weight: 3 },
            ]);
      const used = new Set<number>();
      for (let e = 0; e < enrollments; e++) {
        const target = pickTarget();
        const program = programFor(target);
        if (used.has(program.id)) continue;
        used.add(program.id);
        await liveRecord(demo, clock, faker, actor, contact.id, program, target, today, settings.expiringDays);
        records++;
      }
    }
    clock.setDay(today);
    await runSweep({ db: trx, clock: ctx.clock });
    const rows: Array<{ status: string; n: number }> = await trx('records').select('status').count({ n: '*' }).groupBy('status');
    for (const r of rows) counts[r.status] = Number(r.n);
    options.onProgress?.(contactCount, contactCount);
    return { contacts: contactCount, records, byStatus: counts };
  });
}

function periodDays(program: ProgramRow): number {
  if (program.expiration_kind !== 'period' || program.expiration_amount === null) return 100000;
  const unit = program.expiration_unit === 'years' ? 365 : program.expiration_unit === 'months' ? 30.4 : 1;
  return Math.round(program.expiration_amount * unit);
}

/** Replays one record's life up to the state `target`, each step on its own day. */
async function liveRecord(
  ctx: ServiceContext,
  clock: MovingClock,
  faker: Faker,
  actor: Actor,
  contactId: number,
  program: ProgramRow,
  target: Target,
  today: CalendarDate,
  n: number,
): Promise<void> {
  const period = periodDays(program);
  // The day the last component is completed, chosen so time lands the record on its target.
  let completion: CalendarDate;
  if (target === 'Expiring') completion = addDays(today, -period + faker.number.int({ min: 1, max: Math.max(1, n - 2) }));
  else if (target === 'Expired') completion = addDays(today, -period - faker.number.int({ min: 5, max: 300 }));
  else if (target === 'Active') completion = addDays(today, -faker.number.int({ min: 1, max: Math.max(2, Math.min(period - n - 5, 900)) }));
  else completion = addDays(today, -faker.number.int({ min: 1, max: 60 }));
  const start = addDays(completion, -faker.number.int({ min: 20, max: 200 }));
  const span = toDayNumber(completion) - toDayNumber(start);
  const dayAt = (fraction: number): CalendarDate => fromDayNumber(toDayNumber(start) + Math.round(span * fraction));

  clock.setDay(start);
  const source = program.require_approval === 1 || faker.datatype.boolean() ? 'application' : 'back-office';
  const record = await enroll(ctx, actor, { contactId, programId: program.id, source });
  if (target === 'Applied') return;
  if (target === 'Declined') {
    clock.setDay(dayAt(0.05));
    await setStatus(ctx, actor, { id: record.id, to: 'Declined', reason: 'Does not meet the experience requirement yet' });
    return;
  }
  if (record.status === 'Applied') {
    clock.setDay(dayAt(0.05));
    await setStatus(ctx, actor, { id: record.id, to: 'In Progress', reason: 'Eligibility confirmed' });
  }
  const required = (await programComponents(ctx.db, program.id)).filter((c) => c.required === 1);
  const completesAll = ['Active', 'Expiring', 'Expired', 'Admin Review'].includes(target);
  const howMany = completesAll ? required.length : faker.number.int({ min: 0, max: Math.max(0, required.length - 1) });
  for (let k = 0; k < howMany; k++) {
    const component = required[k];
    if (!component) break;
    const day = k === howMany - 1 && completesAll ? completion : dayAt((k + 1) / (howMany + 1));
    clock.setDay(day);
    await completeComponent(ctx, actor, { recordId: record.id, componentId: component.id, completedOn: day });
  }
  const manual: Partial<Record<Target, string>> = {
    Inactive: 'Member on leave of absence',
    'Not Completed': 'Program window closed before the exam was taken',
    Cancelled: 'Member asked to withdraw',
  };
  const reason = manual[target];
  if (reason) {
    clock.setDay(addDays(dayAt(0.9), 1));
    await setStatus(ctx, actor, { id: record.id, to: target, reason });
  }
}
