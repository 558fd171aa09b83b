import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { BRAND_COLOR } from '../theme';

export function AuthCard({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  return (
    <Center h="100%" bg="var(--certdesk-card-page)">
      <Paper withBorder shadow="sm" p="xl" w={420} radius="md">
        <Stack gap="xs" mb="lg">
          <Text fw={800} size="xl" c={BRAND_COLOR}>
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
