import { Alert, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api, call } from '../api';
import { useLoad } from '../shared/useLoad';
import { useSubmit } from '../shared/useSubmit';

/** The CE credit categories the admin keeps (Ethics, Technical…): programs set minimums in them, staff file activities under them. */
export function CreditCategories() {
  const list = useLoad(() => call(api().credits.categories({})), []);
  const [name, setName] = useState('');
  const add = useSubmit(async () => {
    await call(api().credits.addCategory({ name }));
    setName('');
    list.reload();
  });
  const remove = useSubmit(async (id: number) => {
    await call(api().credits.removeCategory({ id }));
    list.reload();
  });
  return (
    <Stack maw={560} data-testid="credit-categories">
      <Text size="sm" c="dimmed">
        Categories of continuing-education credits. A certification's renewal requirement can ask for a minimum in a category; removing a category keeps the
        activities already filed under it.
      </Text>
      {(add.error ?? remove.error) && <Alert color="red">{add.error ?? remove.error}</Alert>}
      <Table striped fz="sm">
        <Table.Tbody>
          {(list.data ?? []).map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>{c.name}</Table.Td>
              <Table.Td w={100}>
                <Button size="compact-xs" variant="subtle" color="red" onClick={() => void remove.submit(c.id)} aria-label={`Remove ${c.name}`}>
                  Remove
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group align="flex-end">
        <TextInput label="New category" value={name} onChange={(e) => setName(e.currentTarget.value)} w={280} />
        <Button loading={add.busy} onClick={() => void add.submit()}>
          Add category
        </Button>
      </Group>
    </Stack>
  );
}
