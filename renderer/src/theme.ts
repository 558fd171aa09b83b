import { createTheme, Drawer, localStorageColorSchemeManager, Modal, Notification, type CSSVariablesResolver } from '@mantine/core';
import { STATUS_COLORS } from './shared/status';

export const theme = createTheme({
  primaryColor: 'indigo',
  // White on indigo 6 is 4.3:1; shade 7 reaches 4.5:1 for button text (WCAG AA).
  primaryShade: { light: 7, dark: 8 },
  defaultRadius: 'sm',
  fontFamily: 'Inter, "Segoe UI", system-ui, -apple-system, sans-serif',
  components: {
    // Mantine's close buttons carry only an icon: give every modal and drawer's a name.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    // The same for the notifications ("Reminders saved: …"): axe found their close button without a name.
    Notification: Notification.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close notification' } } }),
  },
});

/** Every colour a light badge or text uses: its text one shade darker (light) or lighter (dark) than Mantine's, for 4.5:1. */
const TINTED = [...new Set([...Object.values(STATUS_COLORS), 'indigo', 'green', 'orange', 'red', 'blue', 'gray', 'yellow'])];

export const cssVariables: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    // Mantine's dimmed grey (gray 6) is 3.3:1 on white.
    '--mantine-color-dimmed': t.colors.gray[7] ?? '',
    // Shade 9 alone is 3.6:1 on orange's light background: darken it a little more.
    ...Object.fromEntries(TINTED.map((c) => [`--mantine-color-${c}-light-color`, `color-mix(in srgb, ${t.colors[c]?.[9] ?? ''}, black 30%)`])),
    '--mantine-color-dark-light-color': t.colors.dark[7] ?? '',
    // Placeholders (gray 5) are 2.1:1; they carry instructions ("Choose a .csv file"), so they need 4.5:1 too.
    '--mantine-color-placeholder': t.colors.gray[7] ?? '',
    // A field's refusal ("13/31/2026" is not a date) and the value refused: red 6 is 3.3:1 on white.
    '--mantine-color-error': t.colors.red[9] ?? '',
    '--certdesk-page': t.colors.gray[0] ?? '',
    '--certdesk-card-page': t.colors.gray[1] ?? '',
    '--certdesk-brand': t.colors.indigo[7] ?? '',
    '--certdesk-selection': t.colors.indigo[0] ?? '',
  },
  dark: {
    '--mantine-color-dimmed': t.colors.dark[1] ?? '',
    ...Object.fromEntries(TINTED.map((c) => [`--mantine-color-${c}-light-color`, t.colors[c]?.[2] ?? ''])),
    '--mantine-color-placeholder': t.colors.dark[1] ?? '',
    // Mantine's red 8 is 3.4:1 on a dark dialog.
    '--mantine-color-error': t.colors.red[4] ?? '',
    '--certdesk-page': t.colors.dark[8] ?? '',
    '--certdesk-card-page': t.colors.dark[8] ?? '',
    '--certdesk-brand': t.colors.indigo[3] ?? '',
    '--certdesk-selection': t.colors.dark[5] ?? '',
  },
});

/** Text in a status's (or any named) colour, readable on the page in both schemes. */
export const tint = (color: string) => `var(--mantine-color-${color}-light-color)`;

/** The app's name in the header and on the sign-in card. */
export const BRAND_COLOR = 'var(--certdesk-brand)';

/** The user's choice (light, dark, or the system's) is kept on this computer. */
export const colorSchemeManager = localStorageColorSchemeManager({ key: 'certdesk-color-scheme' });
