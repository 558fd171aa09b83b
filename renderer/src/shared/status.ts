import type { Status } from '../../../main/rules/statuses';

/** One colour per status, used everywhere a status is shown. */
export const STATUS_COLORS: Record<Status, string> = {
  Applied: 'grape',
  'In Progress': 'blue',
  'Admin Review': 'violet',
  Active: 'green',
  Expiring: 'orange',
  Expired: 'red',
  Inactive: 'gray',
  'Not Completed': 'yellow',
  Declined: 'pink',
  Cancelled: 'dark',
};
