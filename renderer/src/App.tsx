import { Alert, Center, Loader, MantineProvider } from '@mantine/core';
import { ModalsProvider } from '@mantine/modals';
import { Notifications } from '@mantine/notifications';
import { useCallback, useEffect, useState } from 'react';
import type { AppInfo } from '../../main/ipc/contract';
import { api, call, messageOf } from './api';
import { FirstRun } from './auth/FirstRun';
import { SignIn } from './auth/SignIn';
import { SessionContext } from './session';
import { SettingsPage } from './settings/SettingsPage';
import { Shell } from './Shell';
import { StartupGate } from './startup/StartupScreen';
import { colorSchemeManager, cssVariables, theme } from './theme';

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager} cssVariablesResolver={cssVariables}>
      <Notifications position="bottom-right" />
      <ModalsProvider>
        <StartupGate>
          <Screens />
        </StartupGate>
      </ModalsProvider>
    </MantineProvider>
  );
}

/** First run, sign-in, or the signed-in app (Tracking, or the settings window's #settings). */
function Screens() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [route, setRoute] = useState(window.location.hash);
  useEffect(() => {
    const onHash = () => setRoute(window.location.hash);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const refresh = useCallback(
    () =>
      call(api().app.info({})).then(setInfo, (err: unknown) => {
        setError(messageOf(err));
      }),
    [],
  );
  useEffect(() => {
    void refresh();
  }, [refresh]);

  let content;
  if (error) {
    content = (
      <Center h="100%">
        <Alert color="red" title="CertDesk could not start">
          {error}
        </Alert>
      </Center>
    );
  } else if (!info) {
    content = (
      <Center h="100%">
        <Loader />
      </Center>
    );
  } else if (info.needsFirstAdmin) {
    content = <FirstRun onDone={refresh} />;
  } else if (!info.user) {
    content = <SignIn onDone={refresh} />;
  } else {
    content = <SessionContext.Provider value={{ info, refresh }}>{route === '#settings' ? <SettingsPage /> : <Shell route={route} />}</SessionContext.Provider>;
  }
  return content;
}
