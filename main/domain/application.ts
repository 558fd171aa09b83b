/** An application to a certification: how it reached the office (SPEC.md §6, "Applications arrive"). */
export const APPLICATION_CHANNELS = ['mail', 'email', 'phone', 'portal'] as const;
export type ApplicationChannel = (typeof APPLICATION_CHANNELS)[number];
