import { Alert, Badge, Button, Group, PasswordInput, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { INPUTS, type User, type UserChange } from '../../../main/ipc/contract';
import { api, call, messageOf } from '../api';
import { useSession } from '../session';
import { formatTimestamp } from '../shared/dates';
import { PopoverForm } from '../shared/PopoverForm';
import { showCallError } from '../shared/forms';
import { useLoad } from '../shared/useLoad';
import { useSubmit } from '../shared/useSubmit';

function ResetPassword({ id, name, onDone }: { id: number; name: string; onDone: () => void }) {
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
        onDone();
        notifications.show({ color: 'green', message: `New password set for ${name}.` });
        setPassword('');
      }}
    >
      {(error) => <PasswordInput label={`New password for ${name}`} value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={error} />}
    </PopoverForm>
  );
}

function describeChange(c: UserChange): string {
  switch (c.change) {
    case 'created':
      return `added as ${c.to ?? 'user'}`;
    case 'role':
      return `role ${c.from ?? '?'} → ${c.to ?? '?'}`;
    case 'password':
      return 'password reset';
    default:
      return c.change;
  }
}

/** Who changed which user, and when (newest first). */
function UserChanges({ changes }: { changes: UserChange[] }) {
  if (changes.length === 0) return null;
  return (
    <Stack gap="xs" maw={800}>
      <Title order={5}>Changes to users</Title>
      <Table fz="sm" data-testid="user-changes">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>User</Table.Th>
            <Table.Th>Change</Table.Th>
            <Table.Th>By</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {changes.map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>{formatTimestamp(c.at)}</Table.Td>
              <Table.Td>{c.username}</Table.Td>
              <Table.Td>{describeChange(c)}</Table.Td>
              <Table.Td>{c.byName}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** Disable or enable, and make admin or staff; main refuses what would leave no active admin, in a sentence. */
function UserActions({ user, isMe, onChanged }: { user: User; isMe: boolean; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const change = async (work: () => Promise<User>, done: string) => {
    setBusy(true);
    try {
      await work();
      notifications.show({ color: 'green', message: done });
      onChanged();
    } catch (err) {
      notifications.show({ color: 'red', title: 'Not changed', message: messageOf(err) });
    } finally {
      setBusy(false);
    }
  };
  const otherRole = user.role === 'admin' ? 'staff' : 'admin';
  return (
    <Group gap="xs" wrap="nowrap">
      <Button
        size="compact-sm"
        variant="default"
        disabled={busy}
        aria-label={`Make ${otherRole}: ${user.displayName}`}
        onClick={() => void change(() => call(api().users.setRole({ id: user.id, role: otherRole })), `${user.displayName} is now ${otherRole}.`)}
      >
        Make {otherRole}
      </Button>
      {!isMe && (
        <Button
          size="compact-sm"
          variant={user.disabled ? 'light' : 'subtle'}
          color={user.disabled ? 'green' : 'red'}
          disabled={busy}
          aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.displayName}`}
          onClick={() =>
            void change(
              () => call(api().users.setDisabled({ id: user.id, disabled: !user.disabled })),
              user.disabled ? `${user.displayName} can sign in again.` : `${user.displayName} is disabled and signed out.`,
            )
          }
        >
          {user.disabled ? 'Enable' : 'Disable'}
        </Button>
      )}
    </Group>
  );
}

export function UsersAdmin() {
  const { info, refresh } = useSession();
  const users = useLoad(() => call(api().users.list({})), []);
  const changes = useLoad(() => call(api().users.changes({})), []);
  const reload = () => {
    users.reload();
    changes.reload();
    // The admin may have changed their own role: the page asks main who they are now.
    void refresh();
  };
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
      reload();
    },
    (err) => showCallError(form, err),
  );
  return (
    <Stack>
      <Table striped fz="sm" data-testid="users-table" maw={1000}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>User name</Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th />
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(users.data ?? []).map((u) => (
            <Table.Tr key={u.id}>
              <Table.Td>{u.username}</Table.Td>
              <Table.Td>
                {u.displayName}
                {u.id === info.user?.id && ' (you)'}
              </Table.Td>
              <Table.Td>
                <Badge variant="light" color={u.role === 'admin' ? 'indigo' : 'gray'}>
                  {u.role}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Badge variant={u.disabled ? 'filled' : 'light'} color={u.disabled ? 'red' : 'green'}>
                  {u.disabled ? 'disabled' : 'active'}
                </Badge>
              </Table.Td>
              <Table.Td>
                <UserActions user={u} isMe={u.id === info.user?.id} onChanged={reload} />
              </Table.Td>
              <Table.Td>{u.role === 'staff' && <ResetPassword id={u.id} name={u.displayName} onDone={changes.reload} />}</Table.Td>
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
      <UserChanges changes={changes.data ?? []} />
    </Stack>
  );
}
