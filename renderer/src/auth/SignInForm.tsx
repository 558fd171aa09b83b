import { Alert, Button, PasswordInput, Stack, TextInput, type MantineSpacing } from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { INPUTS } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { showCallError } from '../shared/forms';
import { useSubmit } from '../shared/useSubmit';

/**
 * User name and password, signed in through main; used by the sign-in page and the lock screen's
 * "Sign in as another user". `notice`: why the page is back at sign-in, shown until an error replaces it.
 */
export function SignInForm({ onDone, notice = null, gap }: { onDone: () => Promise<void>; notice?: string | null; gap?: MantineSpacing }) {
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { username: '', password: '' },
    validate: schemaResolver(INPUTS['auth.signIn'], { sync: true }),
  });
  const { submit, busy, error } = useSubmit(
    async (values: typeof form.values) => {
      await call(api().auth.signIn(values));
      await onDone();
    },
    (err) => showCallError(form, err),
  );
  return (
    <form onSubmit={form.onSubmit((values) => submit(values))}>
      <Stack gap={gap}>
        {notice && !error && (
          <Alert color="yellow" data-testid="signed-out-notice">
            {notice}
          </Alert>
        )}
        {error && <Alert color="red">{error}</Alert>}
        <TextInput label="User name" autoFocus autoComplete="username" key={form.key('username')} {...form.getInputProps('username')} />
        <PasswordInput label="Password" autoComplete="current-password" key={form.key('password')} {...form.getInputProps('password')} />
        <Button type="submit" loading={busy}>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}
