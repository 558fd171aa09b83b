import { ActionIcon, Button, Group, Menu, Text, TextInput } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { FilterTree } from '../../../main/filters/fields';
import type { SavedFilter } from '../../../main/ipc/contract';
import { api, call, messageOf } from '../api';

/** Saved Customize Filters: apply, rename, delete. */
export function SavedFilters({ filters, onApply, onChanged }: { filters: SavedFilter[]; onApply: (tree: FilterTree) => void; onChanged: () => void }) {
  const [renaming, setRenaming] = useState<{ id: number; name: string } | null>(null);
  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      onChanged();
    } catch (err) {
      notifications.show({ color: 'red', message: messageOf(err) });
    }
  };
  return (
    <Menu position="bottom-end" width={340} withinPortal closeOnItemClick={false}>
      <Menu.Target>
        <Button variant="default" data-testid="saved-filters">
          Saved filters ({filters.length})
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        {filters.length === 0 && (
          <Text size="sm" c="dimmed" p="xs">
            No saved filters yet. Build one with Customize Filter and give it a name.
          </Text>
        )}
        {filters.map((f) =>
          renaming?.id === f.id ? (
            <Group key={f.id} p={4} gap={4}>
              <TextInput
                size="xs"
                value={renaming.name}
                onChange={(e) => setRenaming({ id: f.id, name: e.currentTarget.value })}
                style={{ flex: 1 }}
                autoFocus
              />
              <Button size="xs" onClick={() => void act(() => call(api().filters.update({ id: f.id, name: renaming.name }))).then(() => setRenaming(null))}>
                Rename
              </Button>
            </Group>
          ) : (
            <Group key={f.id} gap={0} wrap="nowrap">
              <Menu.Item onClick={() => onApply(f.tree as FilterTree)} style={{ flex: 1 }}>
                {f.name}
              </Menu.Item>
              <ActionIcon variant="subtle" aria-label={`Rename ${f.name}`} onClick={() => setRenaming({ id: f.id, name: f.name })}>
                ✎
              </ActionIcon>
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={`Delete ${f.name}`}
                onClick={() =>
                  modals.openConfirmModal({
                    title: `Delete the filter “${f.name}”?`,
                    labels: { confirm: 'Delete', cancel: 'Keep it' },
                    confirmProps: { color: 'red' },
                    onConfirm: () => void act(() => call(api().filters.delete({ id: f.id }))),
                  })
                }
              >
                ×
              </ActionIcon>
            </Group>
          ),
        )}
      </Menu.Dropdown>
    </Menu>
  );
}
