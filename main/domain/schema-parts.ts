/** The zod pieces every entity schema and the IPC contract are built from: one wording for each refusal. */
import { z } from 'zod';
import { calendarDateProblem } from '../rules/calendar';
import { multiLine, singleLine } from './text';

// Sizes are generous for people and tight for attackers.
export const id = z
  .number()
  .int()
  .positive()
  .max(2 ** 40);
export const text = (max: number) => z.string().max(max, `Keep it under ${max} characters.`);
/** One line of text (SPEC §6: no control characters). */
export const line = (label: string, max: number) => singleLine(label, text(max));
/** Text of several lines: line breaks (\n, \r\n) and tabs, no other control characters. */
export const lines = (label: string, max: number) => multiLine(label, text(max));
const requiredText = (label: string, max: number) => z.string().trim().min(1, `${label} is required.`).max(max, `Keep it under ${max} characters.`);
export const required = (label: string, max: number) => singleLine(label, requiredText(label, max));
export const requiredLines = (label: string, max: number) => multiLine(label, requiredText(label, max));
/** A real calendar day as YYYY-MM-DD; the refusal says why ("2026-02-30 is not a date: February 2026 has 28 days."). */
export const calendarDate = z.string().superRefine((value, ctx) => {
  const problem = calendarDateProblem(value);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});
/** A new password: at least 10 characters, not only blanks (SPEC §6). */
export const newPassword = z
  .string()
  .min(10, 'A password needs at least 10 characters.')
  .max(1000)
  .refine((p) => p.trim() !== '', 'A password cannot be only blanks.');
