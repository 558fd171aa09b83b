import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { DataTable, type DataTableSortStatus } from 'mantine-datatable';
import { useState } from 'react';
import type { QuickFilter as Quick, SortColumn, TrackingRow } from '../../../main/services/tracking';
import { api, call } from '../api';
import { RecordDrawer } from '../record/RecordDrawer';
import { useLoad } from '../shared/useCall';
import { TRACKING_COLUMNS } from './columns';
import { QuickFilter } from './QuickFilter';

const PAGE_SIZES = [25, 50, 100, 200];

export function TrackingPage() {
  const [quick, setQuick] = useState<Quick>({ kind: 'all' });
  const [sort, setSort] = useState<DataTableSortStatus<TrackingRow>>({ columnAccessor: 'contactName', direction: 'asc' });
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(50);
  const [openId, setOpenId] = useState<number | null>(null);
  const [version, setVersion] = useState(0);

  const list = useLoad(
    () =>
      call(
        api().tracking.list({
          quick,
          sort: { column: sort.columnAccessor as SortColumn, direction: sort.direction },
          page,
          pageSize,
        }),
      ),
    [quick, sort, page, pageSize, version],
  );
  const counts = useLoad(() => call(api().tracking.counts({})), [version]);
  const changed = () => setVersion((v) => v + 1);

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2}>Tracking</Title>
          <Text c="dimmed" size="sm">
            Certification records of your contacts: who applied, who is working towards a certification, who holds one.
          </Text>
        </Stack>
        <Group align="flex-end">
          <QuickFilter
            value={quick}
            counts={counts.data}
            onChange={(q) => {
              setQuick(q);
              setPage(1);
            }}
          />
        </Group>
      </Group>
      {list.error && (
        <Alert color="red" title="The list could not be loaded">
          {list.error}{' '}
          <Button size="xs" variant="subtle" onClick={list.reload}>
            Try again
          </Button>
        </Alert>
      )}
      <Paper withBorder radius="md">
        <DataTable<TrackingRow>
          data-testid="tracking-table"
          minHeight={360}
          height="calc(100vh - 210px)"
          highlightOnHover
          striped
          verticalSpacing="xs"
          records={list.data?.rows ?? []}
          columns={TRACKING_COLUMNS}
          fetching={list.loading}
          totalRecords={list.data?.total ?? 0}
          recordsPerPage={pageSize}
          page={page}
          onPageChange={setPage}
          recordsPerPageOptions={PAGE_SIZES}
          onRecordsPerPageChange={(size) => {
            setPageSize(size);
            setPage(1);
          }}
          sortStatus={sort}
          onSortStatusChange={(s) => {
            setSort(s);
            setPage(1);
          }}
          onRowClick={({ record }) => setOpenId(record.id)}
          paginationText={({ from, to, totalRecords }) => `${from}–${to} of ${totalRecords.toLocaleString()} records`}
          noRecordsText={quick.kind === 'all' ? 'No certification records yet' : 'No records match this filter'}
          customRowAttributes={(r) => ({ 'data-record-id': r.id })}
        />
      </Paper>
      <RecordDrawer id={openId} onClose={() => setOpenId(null)} onChanged={changed} />
    </Stack>
  );
}
