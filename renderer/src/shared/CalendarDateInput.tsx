import { DateInput, type DateInputProps } from '@mantine/dates';
import { useState } from 'react';
import { parseTypedDate } from '../../../main/domain/typed-date';

/**
 * The calendar of a date field inside a pop-over form: rendered in the form (a calendar in a portal would
 * count as a click outside and close it), and beside the field rather than under it, where it opened on
 * focus over the form's other fields and its Save button.
 */
export const CALENDAR_IN_POPOVER_FORM = { withinPortal: false, position: 'left-start' } as const;

const CALENDAR_ARIA_LABELS = {
  previousMonth: 'Previous month',
  nextMonth: 'Next month',
  previousYear: 'Previous year',
  nextYear: 'Next year',
  previousDecade: 'Previous decade',
  nextDecade: 'Next decade',
};

/**
 * A date field that takes only real calendar days (SPEC §6): typed text is read
 * strictly (2026-02-30 is an error on the field, never 2 March), a date that
 * is not one stays as typed with its reason, and `onProblem` tells the form to
 * hold its submit until the text is a date again.
 */
export function CalendarDateInput({
  value,
  onChange,
  onProblem,
  error,
  ...rest
}: Omit<DateInputProps, 'value' | 'onChange' | 'dateParser'> & {
  value: string | null;
  onChange: (value: string | null) => void;
  onProblem?: (problem: string | null) => void;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const say = (next: string | null): void => {
    setProblem(next);
    onProblem?.(next);
  };
  return (
    <DateInput
      valueFormat="D MMM YYYY"
      // The calendar's arrows are icons: name them for screen readers (axe: button-name).
      ariaLabels={CALENDAR_ARIA_LABELS}
      // Days of the months before and after are drawn at half opacity, under 4.5:1 contrast (axe): not shown.
      hideOutsideDates
      {...rest}
      value={value}
      onChange={(next) => {
        say(null);
        onChange(next);
      }}
      dateParser={(text) => {
        const typed = parseTypedDate(text);
        return typed && 'date' in typed ? typed.date : null;
      }}
      // Keep what was typed: a date that is not one is shown with its reason, not put back silently.
      fixOnBlur={false}
      onInput={(event) => {
        const text = event.currentTarget.value;
        const typed = parseTypedDate(text);
        if (typed === null || 'date' in typed) say(null);
        // A whole YYYY-MM-DD that is no date (2026-02-30) is said at once; half-typed text waits for blur.
        else if (/^\s*\d{4}-\d{2}-\d{2}\s*$/.test(text)) say(typed.problem);
      }}
      onBlur={(event) => {
        const typed = parseTypedDate(event.currentTarget.value);
        // A real day outside the field's range is not taken by DateInput: say so rather than keep the old date.
        const outside = typed && 'date' in typed && typed.date !== value ? `${typed.date} is outside the dates this field takes.` : null;
        say(typed && 'problem' in typed ? typed.problem : outside);
        rest.onBlur?.(event);
      }}
      error={problem ?? error}
    />
  );
}
