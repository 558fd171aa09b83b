import { Alert, Badge, Button, Group, PasswordInput, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { INPUTS } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { PopoverForm } from '../shared/PopoverForm';
import { showCallError } from '../shared/forms';
import { useLoad } from '../shared/useLoad';
import { useSubmit } from '../shared/useSubmit';

function ResetPassword({ id, name }: { id: number; name: string }) {
  const [password, setPassword] = useState('');
  return (
    <PopoverForm
      trigger="Reset password"
      position="bottom-end"
      triggerProps={{ variant: 'subtle' }}
      width={260}
      submitLabel="Set password"
      onSubmit={async () => {
        await call(api().users.resetPassword({ id, password }));
        notifications.show({ color: 'green', message: `New password set for ${name}.` });
        setPassword('');
      }}
    >
      {(error) => <PasswordInput label={`New password for ${name}`} value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={error} />}
    </PopoverForm>
  );
}

export function UsersAdmin() {
  const users = useLoad(() => call(api().users.list({})), []);
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { username: '', displayName: '', role: 'staff' as 'admin' | 'staff', password: '' },
    validate: schemaResolver(INPUTS['users.create'], { sync: true }),
  });
  const { submit, busy, error } = useSubmit(
    async (values: typeof form.values) => {
      await call(api().users.create(values));
      notifications.show({ color: 'green', message: `User ${values.username} created.` });
      form.reset();
      users.reload();
    },
    (err) => showCallError(form, err),
  );
  return (
    <Stack>
      <Table striped fz="sm" data-testid="users-table" maw={800}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>User name</Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(users.data ?? []).map((u) => (
            <Table.Tr key={u.id}>
              <Table.Td>{u.username}</Table.Td>
              <Table.Td>{u.displayName}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={u.role === 'admin' ? 'indigo' : 'gray'}>
                  {u.role}
                </Badge>
              </Table.Td>
              <Table.Td>{u.role === 'staff' && <ResetPassword id={u.id} name={u.displayName} />}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <form onSubmit={form.onSubmit((values) => submit(values))}>
        <Stack maw={800} gap="xs">
          <Title order={5}>Add a user</Title>
          {error && <Alert color="red">{error}</Alert>}
          <Group grow align="flex-start">
            <TextInput label="Name" key={form.key('displayName')} {...form.getInputProps('displayName')} />
            <TextInput label="User name" key={form.key('username')} {...form.getInputProps('username')} />
            <Select label="Role" data={['staff', 'admin']} key={form.key('role')} {...form.getInputProps('role')} comboboxProps={{ withinPortal: true }} />
            <PasswordInput label="Password" description="At least 10 characters" key={form.key('password')} {...form.getInputProps('password')} />
          </Group>
          <Group>
            <Button type="submit" loading={busy}>
              Add user
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
