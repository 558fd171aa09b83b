import { Alert, Anchor, Button, Group, Paper, SegmentedControl, SimpleGrid, Stack, Table, Text, Title, UnstyledButton } from '@mantine/core';
import { lazy, Suspense, useState } from 'react';
import type { DashboardNumber, DashboardProgram, DashboardSelection, DashboardSummary } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { formatDate } from '../shared/dates';
import { useLoad } from '../shared/useLoad';
import { tint } from '../theme';

/** The charts library (recharts, d3) is a third of the app's script: fetched when a chart first shows, after the numbers. */
const BarChart = lazy(() => import('@mantine/charts').then((m) => ({ default: m.BarChart })));

/** Opens the Tracking list on exactly a number's records. */
export type OpenSelection = (selection: DashboardSelection) => void;

/** The bars of a chart: the certifications with most records first, at most this many (the table lists every one). */
const MAX_BARS = 12;

const count = (n: number): string => n.toLocaleString();

const ONTRACK_SERIES = { name: 'onTrack', label: 'On track with credits', color: 'green.7' };

/** One number as a card: a real button that opens its records; `part`, a number within it (on track), has a button of its own. */
function NumberCard({
  label,
  hint,
  n,
  part,
  color,
  onOpen,
  testId,
}: {
  label: string;
  hint: string;
  n: DashboardNumber | undefined;
  part?: { n: DashboardNumber | undefined; label: string };
  color: string;
  onOpen: OpenSelection;
  testId: string;
}) {
  return (
    <Paper withBorder radius="md" px="md" py="sm" h="100%" style={{ borderLeft: `4px solid var(--mantine-color-${color}-6)` }}>
      <UnstyledButton onClick={() => n && onOpen(n.selection)} disabled={!n} data-testid={testId} w="100%">
        <Text fw={700} fz={28} lh={1.1} c={tint(color)} data-testid={`${testId}-count`}>
          {n ? count(n.count) : '…'}
        </Text>
        <Text size="sm" fw={600}>
          {label}
        </Text>
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      </UnstyledButton>
      {part?.n && (
        <Anchor
          component="button"
          type="button"
          size="xs"
          fw={600}
          c={tint('green')}
          data-testid={`${testId}-part`}
          onClick={() => part.n && onOpen(part.n.selection)}
        >
          {count(part.n.count)} {part.label}
        </Anchor>
      )}
    </Paper>
  );
}

interface Bar {
  name: string;
  count: number;
  selection: DashboardSelection;
  /** Of `count`, on track with their credits (the expiring chart only). */
  onTrack?: number;
  onTrackSelection?: DashboardSelection;
}

/** The certifications' bars for one number, largest first; a click on a bar opens its records. */
function CertificationBars({
  bars,
  label,
  color,
  onOpen,
  testId,
  withOnTrack = false,
}: {
  bars: Bar[];
  label: string;
  color: string;
  onOpen: OpenSelection;
  testId: string;
  withOnTrack?: boolean;
}) {
  const shown = bars.filter((b) => b.count > 0).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  if (shown.length === 0) {
    return (
      <Text size="sm" c="dimmed" py="xl" ta="center">
        None.
      </Text>
    );
  }
  const data = shown.slice(0, MAX_BARS);
  const height = Math.max(120, data.length * (withOnTrack ? 44 : 30) + (withOnTrack ? 60 : 30));
  return (
    <Stack gap={4}>
      {/* The chart is for the eye; the table below holds the same numbers as buttons for the keyboard and screen readers. */}
      <div aria-hidden data-testid={testId} style={{ minHeight: height }}>
        <Suspense fallback={null}>
          <BarChart
            h={height}
            data={data}
            dataKey="name"
            orientation="vertical"
            series={withOnTrack ? [{ name: 'count', label, color }, ONTRACK_SERIES] : [{ name: 'count', label, color }]}
            withLegend={withOnTrack}
            withBarValueLabel
            gridAxis="none"
            yAxisProps={{ width: 190, interval: 0 }}
            barChartProps={{ accessibilityLayer: false }}
            barProps={(series) => ({
              cursor: 'pointer',
              onClick: (bar: { payload?: Bar }) => {
                const selection = series.name === 'onTrack' ? bar.payload?.onTrackSelection : bar.payload?.selection;
                if (selection) onOpen(selection);
              },
            })}
            tooltipProps={{ cursor: false }}
            withTooltip={false}
          />
        </Suspense>
      </div>
      {shown.length > data.length && (
        <Text size="xs" c="dimmed">
          {shown.length - data.length} more certifications in the table below.
        </Text>
      )}
    </Stack>
  );
}

/** A number in the table: a button with a name that says what it opens. */
function CellButton({ n, what, onOpen }: { n: DashboardNumber; what: string; onOpen: OpenSelection }) {
  if (n.count === 0)
    return (
      <Text span c="dimmed">
        0
      </Text>
    );
  return (
    <Anchor component="button" type="button" fw={600} onClick={() => onOpen(n.selection)} aria-label={`${count(n.count)} ${what}. Open them in Tracking`}>
      {count(n.count)}
    </Anchor>
  );
}

function ProgramTable({ summary, onOpen }: { summary: DashboardSummary; onOpen: OpenSelection }) {
  const row = (p: DashboardProgram) => (
    <Table.Tr key={p.programId} data-program-id={p.programId}>
      <Table.Th scope="row" fw={500}>
        {p.name}
        {p.archived ? ' (archived)' : ''}
      </Table.Th>
      {p.expiring.map((n, i) => {
        const onTrack = p.onTrack[i];
        const what = `${p.name} certificates expiring in the next ${summary.horizons[i]} days`;
        return (
          <Table.Td key={summary.horizons[i]} ta="right">
            <CellButton n={n} what={what} onOpen={onOpen} />
            {onTrack && n.count > 0 && (
              <Text size="xs" c="dimmed">
                <CellButton n={onTrack} what={`of the ${what}, on track with their credits`} onOpen={onOpen} /> on track
              </Text>
            )}
          </Table.Td>
        );
      })}
      <Table.Td ta="right">
        <CellButton n={p.expired} what={`${p.name} certificates expired in the last ${summary.expiredWithinDays} days, not renewed`} onOpen={onOpen} />
      </Table.Td>
    </Table.Tr>
  );
  return (
    <Table striped highlightOnHover verticalSpacing={4} data-testid="dashboard-table">
      <Table.Caption>
        Expiring (Active or Expiring status; below, how many of them are on track with their renewal credits) and expired certificates by certification; each
        number opens its records in Tracking.
      </Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Certification</Table.Th>
          {summary.horizons.map((h) => (
            <Table.Th key={h} scope="col" ta="right">
              Next {h} days
            </Table.Th>
          ))}
          <Table.Th scope="col" ta="right">
            Expired, last {summary.expiredWithinDays} days
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>{summary.byProgram.map(row)}</Table.Tbody>
    </Table>
  );
}

/**
 * The first screen: what expires soon, what expired and was not renewed, and
 * what waits for staff. Every number and bar opens the Tracking list on exactly
 * its records; main counts each through the list's own filter code.
 */
export function DashboardPage({ onOpen }: { onOpen: OpenSelection }) {
  const summary = useLoad(() => call(api().dashboard.summary({})), []);
  const s = summary.data;
  const [horizon, setHorizon] = useState('90');
  const h = s
    ? Math.max(
        0,
        s.horizons.findIndex((x) => String(x) === horizon),
      )
    : 0;
  const expiringBars: Bar[] = s
    ? s.byProgram.map((p) => ({
        name: p.name,
        count: p.expiring[h]?.count ?? 0,
        selection: (p.expiring[h] as DashboardNumber).selection,
        onTrack: p.onTrack[h]?.count ?? 0,
        onTrackSelection: p.onTrack[h]?.selection,
      }))
    : [];
  const expiredBars: Bar[] = s ? s.byProgram.map((p) => ({ name: p.name, count: p.expired.count, selection: p.expired.selection })) : [];

  return (
    <Stack gap="md" data-testid="dashboard">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2}>Dashboard</Title>
          <Text c="dimmed" size="sm">
            Renewals and waiting work{s ? `, as of ${formatDate(s.today)} (the office's date)` : ''}. Each number opens its records in Tracking.
          </Text>
        </Stack>
        <Button variant="default" size="xs" onClick={summary.reload} loading={summary.loading}>
          Refresh
        </Button>
      </Group>
      {summary.error && (
        <Alert color="red" title="The dashboard could not be loaded">
          {summary.error}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, md: 4, xl: 7 }} spacing="sm">
        {(s?.horizons ?? [30, 60, 90, 180]).map((days, i) => (
          <NumberCard
            key={days}
            label={`Expiring in the next ${days} days`}
            hint="Active or Expiring, every certification"
            n={s?.expiring[i]}
            part={{ n: s?.onTrack[i], label: 'on track with credits' }}
            color="orange"
            onOpen={onOpen}
            testId={`expiring-${days}`}
          />
        ))}
        <NumberCard
          label={`Expired in the last ${s?.expiredWithinDays ?? 90} days`}
          hint="Not renewed yet"
          n={s?.expired}
          color="red"
          onOpen={onOpen}
          testId="expired"
        />
        <NumberCard label="Applications to review" hint="Applied: approve or decline" n={s?.applications} color="grape" onOpen={onOpen} testId="applications" />
        <NumberCard label="Completions to approve" hint="Admin Review" n={s?.completions} color="violet" onOpen={onOpen} testId="completions" />
      </SimpleGrid>
      {s && (
        <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
          <Paper withBorder radius="md" p="md">
            <Group justify="space-between" mb="xs">
              <Title order={3} size="h5">
                Expiring by certification
              </Title>
              <SegmentedControl
                size="xs"
                aria-label="Expiring within"
                value={horizon}
                onChange={setHorizon}
                data={s.horizons.map((x) => ({ value: String(x), label: `${x} days` }))}
              />
            </Group>
            <CertificationBars
              bars={expiringBars}
              label={`Expiring in the next ${horizon} days`}
              color="orange.6"
              onOpen={onOpen}
              testId="expiring-chart"
              withOnTrack
            />
          </Paper>
          <Paper withBorder radius="md" p="md">
            <Title order={3} size="h5" mb="xs">
              Expired in the last {s.expiredWithinDays} days, not renewed
            </Title>
            <CertificationBars bars={expiredBars} label="Expired, not renewed" color="red.6" onOpen={onOpen} testId="expired-chart" />
          </Paper>
        </SimpleGrid>
      )}
      {s && (
        <Paper withBorder radius="md" p="md">
          <ProgramTable summary={s} onOpen={onOpen} />
        </Paper>
      )}
    </Stack>
  );
}
