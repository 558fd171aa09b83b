/** What each of the ten statuses means, in the status reference's own words (Help menu). */
import type { Status } from './statuses';

export const STATUS_MEANINGS: Record<Status, string> = {
  'In Progress':
    'Contacts currently working towards a program/certification. May be automatically set when a contact applies to the certification/program and participation does not require approval. May also be manually set when staff adds a contact to a certification/program from the back office.',
  Applied:
    'Contacts who have applied for a program/certification but have not yet been approved. Applies only to programs/certifications configured to Require Approval. If Require Approval is not enabled, the status is automatically set to In Progress.',
  Declined: 'Contacts whose application was denied. Set manually by staff.',
  Active:
    'Contacts with active certifications. Set automatically when a program/certification has been completed — either by system logic when all components are finished, or manually by staff when the program requires admin approval for completion.',
  Inactive: 'Set manually by staff. Used when a contact has enrolled in a certification/program but has not been working towards its completion.',
  Expired: 'Contacts whose certifications have expired. Expiration dates for certifications are configured at the certification program level.',
  'Not Completed': 'Contacts who did not complete the necessary certification work in the time allotted. Set manually by staff — no automated logic.',
  'Admin Review':
    'Contacts who have completed the necessary work but whose certification must be approved by an administrator before the status advances to Active.',
  Expiring:
    "Contacts whose certification is nearing expiration. Contacts receive this status based on the Send 'Certification Expiring' Emails n Days Before Expiration setting.",
  Cancelled: 'Contacts whose certification has been cancelled. Set manually by staff — no automated logic.',
};
