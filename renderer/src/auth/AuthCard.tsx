import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

export function AuthCard({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  return (
    <Center h="100%" bg="gray.1">
      <Paper withBorder shadow="sm" p="xl" w={420} radius="md">
        <Stack gap="xs" mb="lg">
          <Text fw={800} size="xl" c="indigo.7">
            CertDesk
          </Text>
          <Title order={3}>{title}</Title>
          <Text c="dimmed" size="sm">
            {subtitle}
          </Text>
        </Stack>
        {children}
      </Paper>
    </Center>
  );
}
