import { ScrollArea, Table, Text } from '@mantine/core';
import type { CsvImportResult } from '../../../main/ipc/contract';

type Change = CsvImportResult<string>['changes'][number];

/** One field change in words: "Status: Active in the file → Expired", "Expires date: 2025-03-01". */
function fieldWords({ field, from, to }: Change['fields'][number]): string {
  return from === '' ? `${field}: ${to}` : `${field}: ${from} → ${to}`;
}

/** The preview's first new or changed rows, line by line, with what each will store (and why, where the engine decided). */
export function ImportChanges({ changes }: { changes: Change[] }) {
  return (
    <ScrollArea.Autosize mah={200}>
      <Table fz="xs" striped data-testid="import-changes">
        <Table.Tbody>
          {changes.map((c) => (
            <Table.Tr key={c.line}>
              <Table.Td w={70}>Line {c.line}</Table.Td>
              <Table.Td w={60}>{c.kind}</Table.Td>
              <Table.Td>
                <Text fz="xs" fw={600}>
                  {c.label}
                </Text>
                <Text fz="xs" c="dimmed">
                  {c.fields.map(fieldWords).join(' · ')}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea.Autosize>
  );
}
