/** The ten statuses, named word for word as in the association's status reference. */
export const STATUSES = [
  'In Progress',
  'Applied',
  'Declined',
  'Active',
  'Inactive',
  'Expired',
  'Not Completed',
  'Admin Review',
  'Expiring',
  'Cancelled',
] as const;

export type Status = (typeof STATUSES)[number];

/** Never set by the engine; only staff set these (status reference, "Common Pitfalls"). */
export const MANUAL_ONLY_STATUSES: readonly Status[] = ['Declined', 'Inactive', 'Not Completed', 'Cancelled'];

/** Statuses whose validity is judged against the expiration date. */
export const TIMED_STATUSES: readonly Status[] = ['Active', 'Expiring', 'Expired'];

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}
