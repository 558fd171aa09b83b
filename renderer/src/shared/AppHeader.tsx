import { AppShell, Group, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { BRAND_COLOR } from '../theme';

/**
 * The header bar of every CertDesk window (the main window and the settings window): the CertDesk mark,
 * then the window's own title and navigation on the left, and its own tools on the right.
 */
export function AppHeader({ title, tools }: { title: ReactNode; tools: ReactNode }) {
  return (
    <AppShell.Header px="md">
      <Group h="100%" justify="space-between">
        <Group gap="lg">
          <Text fw={800} c={BRAND_COLOR} size="lg">
            CertDesk
          </Text>
          {title}
        </Group>
        {tools}
      </Group>
    </AppShell.Header>
  );
}
