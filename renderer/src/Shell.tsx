import { AppShell, Anchor, Breadcrumbs, Button, Group, Menu, Text, useMantineColorScheme, VisuallyHidden, type MantineColorScheme } from '@mantine/core';
import { api, call } from './api';
import { useAppEvent } from './events';
import { useSession } from './session';
import { formatDate } from './shared/dates';
import { BRAND_COLOR } from './theme';
import { TrackingPage } from './tracking/TrackingPage';

const SCHEMES: Array<{ value: MantineColorScheme; label: string }> = [
  { value: 'auto', label: 'Follow the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

export function Shell() {
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
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between">
          <Group gap="lg">
            <Text fw={800} c={BRAND_COLOR} size="lg">
              CertDesk
            </Text>
            <Breadcrumbs separator="›">
              <Text size="sm" c="dimmed">
                Continuing Education
              </Text>
              <Anchor size="sm" fw={600} underline="never">
                Tracking
              </Anchor>
            </Breadcrumbs>
          </Group>
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
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <TrackingPage />
      </AppShell.Main>
    </AppShell>
  );
}
