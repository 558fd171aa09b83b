import dayjs from 'dayjs';

/** Shows a calendar date (YYYY-MM-DD) the way staff read it; never converts through time zones. */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '—';
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return date;
  return dayjs(new Date(y, m - 1, d)).format('D MMM YYYY');
}

export function formatTimestamp(iso: string): string {
  return dayjs(iso).format('D MMM YYYY, HH:mm');
}
