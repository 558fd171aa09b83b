/** The zod pieces every entity schema and the IPC contract are built from: one wording for each refusal. */
import { z } from 'zod';
import { isCalendarDate } from '../rules/calendar';

// Sizes are generous for people and tight for attackers.
export const id = z.number().int().positive().max(2 ** 40);
export const text = (max: number) => z.string().max(max, `Keep it under ${max} characters.`);
export const required = (label: string, max: number) =>
  z.string().trim().min(1, `${label} is required.`).max(max, `Keep it under ${max} characters.`);
export const calendarDate = z.string().refine(isCalendarDate, 'Use a date as YYYY-MM-DD.');
