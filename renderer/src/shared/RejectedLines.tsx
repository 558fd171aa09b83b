import { ScrollArea, Table } from '@mantine/core';

/** One rejected line of an import: where it is (`place`, with `title` for more), and why, in words. */
export interface RejectedLine {
  key: string;
  place: string;
  title?: string;
  reason: string;
}

/** The lines an import rejects, each with its reason: a short scrolling table under the counts. */
export function RejectedLines({ lines, testId, placeWidth, maxHeight }: { lines: RejectedLine[]; testId: string; placeWidth: number; maxHeight: number }) {
  return (
    <ScrollArea.Autosize mah={maxHeight}>
      <Table fz="xs" striped data-testid={testId}>
        <Table.Tbody>
          {lines.map((l) => (
            <Table.Tr key={l.key}>
              <Table.Td w={placeWidth} title={l.title}>
                {l.place}
              </Table.Td>
              <Table.Td>{l.reason}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea.Autosize>
  );
}
