/**
 * What counts as an email address, at every door (forms, IPC, imports). RFC
 * 6531 allows UTF-8 in the local part (zoë@example.org) and the domain
 * (IDN); so: no blanks, quotes, angle brackets or a second @, at most 64
 * characters before the @, and a domain with a dot that neither starts nor
 * ends the domain.
 */
const EMAIL = /^[^\s@"<>()[\]\\,;:]{1,64}@(?=.{1,255}$)[^\s@"<>()[\]\\,;:.]+(?:\.[^\s@"<>()[\]\\,;:.]+)+$/u;

export function isEmailAddress(text: string): boolean {
  return EMAIL.test(text) && !text.startsWith('.') && !text.includes('..') && !text.includes('.@');
}

export const EMAIL_MESSAGE = 'Enter an email address like name@example.org.';
