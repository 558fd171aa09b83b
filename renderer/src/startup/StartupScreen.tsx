import { Alert, Button, Center, Group, List, Loader, Paper, Progress, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { StartupStatus } from '../../../main/ipc/contract';
import type { BackgroundWork } from '../../../main/domain/startup';
import { useStartup, type Startup } from './useStartup';

/** Shows start-up until main says it is ready, then the app (`children`) with a line about start-up's background work. */
export function StartupGate({ children }: { children: ReactNode }) {
  const startup = useStartup();
  if (startup.ready) {
    return (
      <>
        {children}
        <BackgroundLine work={startup.status?.background ?? null} />
      </>
    );
  }
  return <StartupScreen startup={startup} />;
}

/** A small line at the bottom while the check, the daily backup or the sweep run after the list shows. */
function BackgroundLine({ work }: { work: BackgroundWork | null }) {
  if (!work) return null;
  return (
    <Paper withBorder shadow="xs" px="sm" py={4} pos="fixed" left={12} bottom={12} style={{ zIndex: 300 }} data-testid="startup-background">
      <Group gap="xs" wrap="nowrap">
        <Loader size={12} aria-hidden />
        <Text size="xs" role="status" aria-live="polite">
          {work.message} in the background
          {work.total ? ` (${(work.done ?? 0).toLocaleString()} of ${work.total.toLocaleString()} records)` : '…'}
        </Text>
      </Group>
    </Paper>
  );
}

function StepMark({ state }: { state: 'done' | 'now' | 'later' }) {
  if (state === 'now') return <Loader size={16} aria-hidden />;
  return (
    <ThemeIcon size={16} radius="xl" color={state === 'done' ? 'teal' : 'gray'} variant={state === 'done' ? 'filled' : 'light'} aria-hidden>
      <Text size="10px" lh={1}>
        {state === 'done' ? '✓' : ''}
      </Text>
    </ThemeIcon>
  );
}

function Steps({ status }: { status: StartupStatus }) {
  const percent = status.total ? Math.round(((status.done ?? 0) / status.total) * 100) : null;
  return (
    <Stack gap="sm">
      <List spacing="xs" listStyleType="none" aria-label="Start-up steps">
        {status.plan.map((label, i) => {
          const state = i + 1 < status.step ? 'done' : i + 1 === status.step ? 'now' : 'later';
          return (
            <List.Item key={label} icon={<StepMark state={state} />} aria-current={state === 'now' ? 'step' : undefined}>
              <Text size="sm" fw={state === 'now' ? 600 : 400} c={state === 'later' ? 'dimmed' : undefined}>
                {label}
                {state === 'done' ? ' — done' : ''}
              </Text>
            </List.Item>
          );
        })}
      </List>
      <Progress
        value={percent ?? Math.round(((status.step - 1) / Math.max(1, status.steps)) * 100)}
        animated={percent === null}
        aria-label={`${status.message}${percent === null ? '' : `: ${percent} %`}`}
      />
      <Text size="xs" c="dimmed" role="status" aria-live="polite">
        {status.step > 0 ? `Step ${status.step} of ${status.steps}: ${status.message}` : status.message}
        {status.total ? ` (${(status.done ?? 0).toLocaleString()} of ${status.total.toLocaleString()} records)` : '…'}
      </Text>
    </Stack>
  );
}

function Refused({ startup }: { startup: Startup }) {
  const refused = startup.status?.refused;
  if (!refused) return null;
  return (
    <Stack gap="md">
      <Alert color="red" title="CertDesk cannot open its database" role="alert">
        <Text size="sm">{refused.message}</Text>
        <Text size="sm" mt="xs">
          The file was left untouched in {refused.dataDir}.
        </Text>
      </Alert>
      {refused.newestBackup ? (
        <>
          <Text size="sm">
            Newest good backup: <b>{refused.newestBackup}</b>. Restoring it moves the refused file aside (it is not deleted) and opens the backup.
          </Text>
          <Group>
            <Button loading={startup.restoring} onClick={() => void startup.restore()}>
              Restore the newest backup
            </Button>
          </Group>
        </>
      ) : refused.kind === 'damaged' || refused.kind === 'other' ? (
        <Text size="sm">There is no backup to restore. Close CertDesk and ask whoever looks after it; nothing was changed.</Text>
      ) : (
        <Text size="sm">Nothing was changed. Close CertDesk, do what the message says, and start it again.</Text>
      )}
    </Stack>
  );
}

export function StartupScreen({ startup }: { startup: Startup }) {
  const { status, error } = startup;
  return (
    <Center h="100%" p="md">
      <Paper withBorder shadow="sm" p="xl" w={520} data-testid="startup-screen">
        <Stack gap="lg">
          <div>
            <Title order={1} size="h3" c="indigo.8">
              CertDesk
            </Title>
            <Text size="sm" c="dimmed">
              {status?.phase === 'refused' ? 'Start-up stopped' : 'Starting up'}
            </Text>
          </div>
          {error ? (
            <Alert color="red" title="CertDesk could not start" role="alert">
              {error}
            </Alert>
          ) : status?.phase === 'refused' ? (
            <Refused startup={startup} />
          ) : status ? (
            <Steps status={status} />
          ) : (
            <Loader size="sm" aria-label="Starting CertDesk" />
          )}
        </Stack>
      </Paper>
    </Center>
  );
}
