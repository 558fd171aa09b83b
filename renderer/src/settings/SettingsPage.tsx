import { Alert, Anchor, AppShell, Center, Loader, Tabs, Title } from '@mantine/core';
import type { MouseEvent } from 'react';
import { api, call } from '../api';
import { useSession } from '../session';
import { useLoad } from '../shared/useLoad';
import { AppHeader } from '../shared/AppHeader';
import { CreditCategories } from './CreditCategories';
import { GeneralSettings } from './GeneralSettings';
import { OutboxList } from './OutboxList';
import { ProgramsAdmin } from './ProgramsAdmin';
import { RecordChecker } from './RecordChecker';
import { SyncSettings } from './SyncSettings';
import { UsersAdmin } from './UsersAdmin';

/**
 * The desktop app closes the settings window and brings the Tracking window forward
 * (it must not become a second Tracking window); the harness follows the link to #.
 */
async function backToTracking(event: MouseEvent): Promise<void> {
  event.preventDefault();
  const { closed } = await call(api().app.closeSettings({}));
  if (!closed) window.location.hash = '#tracking';
}

/** The admin settings window (its own window in the app; the #settings route in the browser harness). */
export function SettingsPage() {
  const { info } = useSession();
  const isAdmin = info.user?.role === 'admin';
  const settings = useLoad(() => (isAdmin ? call(api().settings.get({})) : Promise.resolve(null)), [isAdmin]);
  return (
    <AppShell header={{ height: 52 }} padding="md">
      <AppHeader
        title={<Title order={4}>Settings</Title>}
        tools={
          <Anchor size="sm" href="#tracking" onClick={(e) => void backToTracking(e)}>
            Back to Tracking
          </Anchor>
        }
      />
      <AppShell.Main>
        {!isAdmin ? (
          <Alert color="yellow" title="Settings are for admins" data-testid="settings-refused" maw={640}>
            You are signed in as {info.user?.displayName}, a staff user. Certification General Settings, certification programs, users and the sync export are
            changed by an admin only; ask an admin to make the change.
          </Alert>
        ) : !settings.data ? (
          <Center h={200}>{settings.error ? <Alert color="red">{settings.error}</Alert> : <Loader />}</Center>
        ) : (
          <Tabs defaultValue="general" keepMounted={false}>
            <Tabs.List mb="md">
              <Tabs.Tab value="general">Certification General Settings</Tabs.Tab>
              <Tabs.Tab value="programs">Certification programs</Tabs.Tab>
              <Tabs.Tab value="credit-categories">Credit categories</Tabs.Tab>
              <Tabs.Tab value="users">Users</Tabs.Tab>
              <Tabs.Tab value="outbox">Outbox</Tabs.Tab>
              <Tabs.Tab value="sync">Sync export</Tabs.Tab>
              <Tabs.Tab value="checker">Record checker</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="general">
              <GeneralSettings settings={settings.data} onSaved={settings.reload} />
            </Tabs.Panel>
            <Tabs.Panel value="programs">
              <ProgramsAdmin />
            </Tabs.Panel>
            <Tabs.Panel value="credit-categories">
              <CreditCategories />
            </Tabs.Panel>
            <Tabs.Panel value="users">
              <UsersAdmin />
            </Tabs.Panel>
            <Tabs.Panel value="outbox">
              <OutboxList />
            </Tabs.Panel>
            <Tabs.Panel value="sync">
              <SyncSettings settings={settings.data} onSaved={settings.reload} />
            </Tabs.Panel>
            <Tabs.Panel value="checker">
              <RecordChecker />
            </Tabs.Panel>
          </Tabs>
        )}
      </AppShell.Main>
    </AppShell>
  );
}
