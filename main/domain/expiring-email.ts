/** The "Certification Expiring" email: its placeholders and how its text is filled. Pure, shared with the settings screen. */
import type { CalendarDate } from '../rules/calendar';
import type { Settings } from './settings';

export interface ExpiringEmailVars {
  contactName: string;
  certification: string;
  expirationDate: CalendarDate;
}

const PLACEHOLDERS: Record<string, keyof ExpiringEmailVars> = {
  '{contact_name}': 'contactName',
  '{certification}': 'certification',
  '{expiration_date}': 'expirationDate',
};

export const EMAIL_PLACEHOLDERS = Object.keys(PLACEHOLDERS);

/** Fills the placeholders of the "Certification Expiring" email text; unknown braces stay as typed. */
export function fillTemplate(template: string, vars: ExpiringEmailVars): string {
  return template.replace(/\{[a-z_]+\}/g, (token) => {
    const key = PLACEHOLDERS[token];
    return key ? vars[key] : token;
  });
}

export function renderExpiringEmail(
  settings: Pick<Settings, 'expiringEmailSubject' | 'expiringEmailBody'>,
  vars: ExpiringEmailVars,
): { subject: string; body: string } {
  return {
    subject: fillTemplate(settings.expiringEmailSubject, vars),
    body: fillTemplate(settings.expiringEmailBody, vars),
  };
}
