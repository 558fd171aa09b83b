/**
 * The lock screen (SPEC §6): it covers the page (which stays underneath, untouched) and asks the same
 * user's password, or lets another user sign in. Its own chunk: a locked desk is rare at launch.
 */
import { Alert, Anchor, Button, Group, Overlay, Paper, PasswordInput, Portal, Stack, Text, Title } from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { useEffect, useState } from 'react';
import { INPUTS, type User } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { showCallError } from '../shared/forms';
import { useSubmit } from '../shared/useSubmit';
import { BRAND_COLOR } from '../theme';
import { SignInForm } from './SignInForm';

/**
 * While mounted, everything else on the page (the app and its portalled drawers and dialogs) is inert.
 * Runs once the lock's own element exists: the portal mounts it a render later, and the portal's
 * container must never be made inert with the rest.
 */
function useInertSiblings(own: HTMLDivElement | null): void {
  useEffect(() => {
    if (!own) return;
    const made: Element[] = [];
    for (const child of Array.from(document.body.children)) {
      if (child.contains(own)) continue;
      if (!child.hasAttribute('inert')) {
        child.setAttribute('inert', '');
        made.push(child);
      }
    }
    own.querySelector<HTMLInputElement>('input')?.focus();
    return () => made.forEach((child) => child.removeAttribute('inert'));
  }, [own]);
}

function Unlock({ user, onDone }: { user: User; onDone: () => Promise<void> }) {
  const form = useForm({ mode: 'uncontrolled', initialValues: { password: '' }, validate: schemaResolver(INPUTS['auth.unlock'], { sync: true }) });
  const { submit, busy, error } = useSubmit(
    async (values: typeof form.values) => {
      await call(api().auth.unlock(values));
      await onDone();
    },
    (err) => showCallError(form, err),
  );
  return (
    <form onSubmit={form.onSubmit((values) => submit(values))}>
      <Stack gap="sm">
        <Text size="sm">
          {user.displayName} ({user.username}) is signed in. Enter your password to go on where you were.
        </Text>
        {error && <Alert color="red">{error}</Alert>}
        <PasswordInput label="Password" autoFocus autoComplete="current-password" key={form.key('password')} {...form.getInputProps('password')} />
        <Button type="submit" loading={busy}>
          Unlock
        </Button>
      </Stack>
    </form>
  );
}

/** Covers the page while the desk is locked; the page underneath keeps its state for the same user. */
export function LockScreen({ user, onDone }: { user: User; onDone: () => Promise<void> }) {
  const [other, setOther] = useState(false);
  const [own, setOwn] = useState<HTMLDivElement | null>(null);
  useInertSiblings(own);
  return (
    <Portal>
      <div ref={setOwn}>
        <Overlay fixed blur={14} backgroundOpacity={0.55} color="#000" zIndex={1000} center>
          <Paper withBorder shadow="md" p="xl" w={400} radius="md" role="dialog" aria-modal="true" aria-labelledby="lock-title" data-testid="lock-screen">
            <Stack gap="xs" mb="md">
              <Text fw={800} size="xl" c={BRAND_COLOR}>
                CertDesk
              </Text>
              <Title order={3} id="lock-title">
                {other ? 'Sign in as another user' : 'The desk is locked'}
              </Title>
            </Stack>
            {other ? <SignInForm onDone={onDone} gap="sm" /> : <Unlock user={user} onDone={onDone} />}
            <Group justify="center" mt="md">
              <Anchor component="button" type="button" size="sm" onClick={() => setOther(!other)}>
                {other ? `Back: unlock as ${user.displayName}` : 'Sign in as another user'}
              </Anchor>
            </Group>
          </Paper>
        </Overlay>
      </div>
    </Portal>
  );
}
