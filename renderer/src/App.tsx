import { Alert, Center, Loader, MantineProvider } from '@mantine/core';
import { ModalsProvider } from '@mantine/modals';
import { Notifications } from '@mantine/notifications';
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import type { AppInfo } from '../../main/ipc/contract';
import type { CallError } from '../../main/ipc/contract';
import { api, call, messageOf, SESSION_EVENT } from './api';
import { takeArrivedInfo, takeFirstInfo } from './firstScreen';
import { useIdleLock } from './auth/useIdleLock';
import { SessionContext } from './session';
import { Shell } from './Shell';
import { StartupGate } from './startup/StartupScreen';
import { colorSchemeManager, cssVariables, theme } from './theme';

/** The settings window: its own chunk, fetched only where it opens. */
const SettingsPage = lazy(() => import('./settings/SettingsPage').then((m) => ({ default: m.SettingsPage })));
// The forms check their input with the contract's schemas (zod): chunks of their own, so a signed-in start
// does not evaluate them before its first rows.
const FirstRun = lazy(() => import('./auth/FirstRun').then((m) => ({ default: m.FirstRun })));
const SignIn = lazy(() => import('./auth/SignIn').then((m) => ({ default: m.SignIn })));
const LockScreen = lazy(() => import('./auth/LockScreen').then((m) => ({ default: m.LockScreen })));

function Loading() {
  return (
    <Center h="100%">
      <Loader />
    </Center>
  );
}

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
  // The first screen's answer is usually here by the time this mounts: then the first render shows the page.
  const [info, setInfo] = useState<AppInfo | null>(takeArrivedInfo);
  const infoAtMount = useRef(info !== null);
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
    // The first answer was asked for before the app mounted (firstScreen.ts); later ones ask app.info.
    if (infoAtMount.current) return;
    const first = takeFirstInfo();
    if (!first) return void refresh();
    void first.then((answer) => (answer ? setInfo(answer) : refresh()));
  }, [refresh]);
  // Main locked the desk or ended the session under the page: show the lock screen, or sign-in with main's sentence.
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    const onSession = (event: Event) => {
      const error = (event as CustomEvent<CallError>).detail;
      if (error.code === 'SIGNED_OUT') setNotice(error.message);
      void refresh();
    };
    window.addEventListener(SESSION_EVENT, onSession);
    return () => window.removeEventListener(SESSION_EVENT, onSession);
  }, [refresh]);
  const lock = useCallback(() => void call(api().auth.lock({})).then(refresh, () => undefined), [refresh]);
  useIdleLock(info?.user && !info.locked ? info.idleLockMinutes : 0, lock);

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
    content = <Loading />;
  } else if (info.needsFirstAdmin) {
    content = (
      <Suspense fallback={<Loading />}>
        <FirstRun onDone={refresh} />
      </Suspense>
    );
  } else if (!info.user) {
    content = (
      <Suspense fallback={<Loading />}>
        <SignIn
          notice={notice}
          onDone={async () => {
            setNotice(null);
            await refresh();
          }}
        />
      </Suspense>
    );
  } else {
    // Keyed by user: another user who signs in at the lock screen starts from a fresh page.
    content = (
      <SessionContext.Provider key={info.user.id} value={{ info, refresh }}>
        {route === '#settings' ? (
          <Suspense fallback={<Loading />}>
            <SettingsPage />
          </Suspense>
        ) : (
          <Shell route={route} />
        )}
        {info.locked && (
          <Suspense fallback={null}>
            <LockScreen user={info.user} onDone={refresh} />
          </Suspense>
        )}
      </SessionContext.Provider>
    );
  }
  return content;
}
