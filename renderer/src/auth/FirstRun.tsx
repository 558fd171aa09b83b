import { Alert, Button, Checkbox, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { INPUTS } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { showCallError } from '../shared/forms';
import { useSubmit } from '../shared/useSubmit';
import { AuthCard } from './AuthCard';

/** The first start: create the first admin (no default password exists) and optionally demo data. */
export function FirstRun({ onDone }: { onDone: () => Promise<void> }) {
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { username: '', displayName: '', password: '', loadDemoData: true },
    validate: schemaResolver(INPUTS['auth.createFirstAdmin'], { sync: true }),
  });
  const { submit, busy, error } = useSubmit(
    async (values: typeof form.values) => {
      await call(api().auth.createFirstAdmin(values));
      await onDone();
    },
    (err) => showCallError(form, err),
  );
  return (
    <AuthCard title="Welcome to CertDesk" subtitle="Create the first administrator. Admins manage settings, certifications and users.">
      <form onSubmit={form.onSubmit((values) => submit(values))}>
        <Stack>
          {error && <Alert color="red">{error}</Alert>}
          <TextInput label="Your name" autoFocus key={form.key('displayName')} {...form.getInputProps('displayName')} />
          <TextInput label="User name" autoComplete="username" key={form.key('username')} {...form.getInputProps('username')} />
          <PasswordInput
            label="Password"
            description="At least 10 characters."
            autoComplete="new-password"
            key={form.key('password')}
            {...form.getInputProps('password')}
          />
          <Checkbox
            label="Fill the database with demo data"
            description="Six certifications and a few hundred contacts, to try CertDesk out."
            key={form.key('loadDemoData')}
            {...form.getInputProps('loadDemoData', { type: 'checkbox' })}
          />
          <Button type="submit" loading={busy}>
            Create administrator
          </Button>
          {busy && (
            <Text size="xs" c="dimmed">
              Setting up the database…
            </Text>
          )}
        </Stack>
      </form>
    </AuthCard>
  );
}
