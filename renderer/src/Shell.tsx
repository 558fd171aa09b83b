import { AppShell, Breadcrumbs, Button, Group, Menu, Text, useMantineColorScheme, VisuallyHidden, type MantineColorScheme } from '@mantine/core';
import { api, call } from './api';
import { useAppEvent } from './events';
import { useSession } from './session';
import { formatDate } from './shared/dates';
import { AppHeader } from './shared/AppHeader';
import { DashboardPage } from './dashboard/DashboardPage';
import { TrackingPage } from './tracking/TrackingPage';
import type { DashboardSelection } from '../../main/ipc/contract';
import { useState } from 'react';

const SCHEMES: Array<{ value: MantineColorScheme; label: string }> = [
  { value: 'auto', label: 'Follow the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** The pages of the main window: the dashboard opens first; `#tracking` is the Tracking list. */
const PAGES = [
  { hash: '', label: 'Dashboard' },
  { hash: '#tracking', label: 'Tracking' },
] as const;

/** Moves to another page by the address's hash (so Back returns). */
function go(hash: string): void {
  if (window.location.hash !== hash) window.location.hash = hash;
}

export function Shell({ route }: { route: string }) {
  const page = route === '#tracking' ? PAGES[1] : PAGES[0];
  // What a dashboard number opens; the Tracking page takes it once when it mounts.
  const [opening, setOpening] = useState<{ selection: DashboardSelection; serial: number } | null>(null);
  const openInTracking = (selection: DashboardSelection) => {
    setOpening((o) => ({ selection, serial: (o?.serial ?? 0) + 1 }));
    go('#tracking');
  };
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const { info, refresh } = useSession();
  // n, the time zone or the programs changed in the settings window: show the new ones.
  useAppEvent('settings-changed', () => void refresh());
  const signOut = async () => {
    await call(api().auth.signOut({}));
    await refresh();
  };
  // A window of its own in the desktop app; a route in the browser harness.
  const openSettings = async () => {
    const { opened } = await call(api().app.openSettings({}));
    if (!opened) window.location.hash = '#settings';
  };
  return (
    <AppShell header={{ height: 52 }} padding="md">
      <AppHeader
        title={
          <>
            <Breadcrumbs separator="›">
              <Text size="sm" c="dimmed">
                Continuing Education
              </Text>
              <Text size="sm" fw={600}>
                {page.label}
              </Text>
            </Breadcrumbs>
            <Group component="nav" aria-label="Pages" gap={4}>
              {PAGES.map((p) => (
                <Button
                  key={p.label}
                  component="a"
                  href={p.hash || '#'}
                  size="xs"
                  variant={p === page ? 'light' : 'subtle'}
                  aria-current={p === page ? 'page' : undefined}
                  onClick={(e: React.MouseEvent) => {
                    e.preventDefault();
                    setOpening(null);
                    go(p.hash);
                  }}
                >
                  {p.label}
                </Button>
              ))}
            </Group>
          </>
        }
        tools={
          <Group gap="sm">
            <Text size="xs" c="dimmed" title={`Office time zone ${info.timeZone}`}>
              Today {formatDate(info.today)} · n = {info.expiringDays}
            </Text>
            {info.user?.role === 'admin' && (
              <Button variant="subtle" size="xs" onClick={() => void openSettings()}>
                Settings
              </Button>
            )}
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <Button variant="default" size="xs" data-testid="user-menu">
                  {info.user?.displayName} ({info.user?.role})
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>Signed in as {info.user?.username}</Menu.Label>
                <Menu.Divider />
                <Menu.Label>Appearance</Menu.Label>
                {SCHEMES.map((s) => (
                  <Menu.Item
                    key={s.value}
                    leftSection={
                      <Text span w={12} aria-hidden>
                        {colorScheme === s.value ? '✓' : ''}
                      </Text>
                    }
                    onClick={() => setColorScheme(s.value)}
                  >
                    {s.label}
                    {colorScheme === s.value && <VisuallyHidden> (chosen)</VisuallyHidden>}
                  </Menu.Item>
                ))}
                <Menu.Divider />
                <Menu.Item onClick={() => void signOut()}>Sign out</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        }
      />
      <AppShell.Main>
        {page.label === 'Tracking' ? (
          <TrackingPage key={opening?.serial ?? 0} opening={opening?.selection ?? null} />
        ) : (
          <DashboardPage onOpen={openInTracking} />
        )}
      </AppShell.Main>
    </AppShell>
  );
}
