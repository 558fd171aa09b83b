/**
 * Every date and time on screen, in one format that follows the user's locale
 * (the browser's, as Intl gives it). Records keep calendar dates as YYYY-MM-DD:
 * they are formatted from their parts in UTC, so no time zone can move them a day.
 */
const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const MOMENT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A calendar date (YYYY-MM-DD) as staff read it, e.g. "2 Dec 2026" or "Dec 2, 2026"; "—" for none. */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '—';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return date;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  return DAY.format(new Date(Date.UTC(y, m - 1, d)));
}

/** An instant (ISO timestamp) in the user's own time zone, with its time. */
export function formatTimestamp(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : MOMENT.format(at);
}

/** Calendar dates inside a sentence main wrote (history details, filter and rule descriptions), in the same format. */
export function formatDatesIn(text: string): string {
  return text.replace(/\b\d{4}-\d{2}-\d{2}\b/g, (date) => formatDate(date));
}
