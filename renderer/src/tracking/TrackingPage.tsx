import { Alert, Badge, Button, CloseButton, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { DataTable, type DataTableSortStatus } from 'mantine-datatable';
import { useEffect, useState } from 'react';
import { describeFilter } from '../../../main/filters/fields';
import type { SortColumn, TrackingRow } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { useAppEvent } from '../events';
import { RecordDrawer } from '../record/RecordDrawer';
import { useLoad } from '../shared/useCall';
import { ActionRequired } from './ActionRequired';
import { BulkBar } from './BulkBar';
import { TRACKING_COLUMNS } from './columns';
import { EnrollModal, type EnrollTarget } from './EnrollModal';
import { ExportButton } from './ExportButton';
import { FilterBuilder } from './FilterBuilder';
import { ImportModal } from './ImportModal';
import { NotEnrolledHint } from './NotEnrolledHint';
import { QuickFilter } from './QuickFilter';
import { SavedFilters } from './SavedFilters';
import { DEFAULT_VIEW, selectionOf, type TrackingView } from './view';

const PAGE_SIZES = [25, 50, 100, 200];

export function TrackingPage() {
  const [view, setView] = useState<TrackingView | null>(null);
  const [page, setPage] = useState(1);
  const [searchText, setSearchText] = useState('');
  const [debouncedSearch] = useDebouncedValue(searchText, 250);
  const [selected, setSelected] = useState<TrackingRow[]>([]);
  const [allMatching, setAllMatching] = useState(false);
  const [openId, setOpenId] = useState<number | null>(null);
  const [builderOpen, setBuilderOpen] = useState(false);
  const [enroll, setEnroll] = useState<EnrollTarget | null>(null);
  const [importOpen, setImportOpen] = useState(false);
  useAppEvent('menu:import', () => setImportOpen(true));
  const [version, setVersion] = useState(0);

  // The last view comes back after a restart.
  useEffect(() => {
    void call(api().tracking.getView({})).then(
      ({ view: saved }) => {
        setView(saved ?? DEFAULT_VIEW);
        setSearchText(saved?.search ?? '');
      },
      () => setView(DEFAULT_VIEW),
    );
  }, []);
  const update = (patch: Partial<TrackingView>) => {
    setView((v) => {
      const next = { ...(v ?? DEFAULT_VIEW), ...patch };
      void call(api().tracking.saveView(next)).catch(() => undefined);
      return next;
    });
    setPage(1);
    setSelected([]);
    setAllMatching(false);
  };
  useEffect(() => {
    if (view && debouncedSearch !== (view.search ?? '')) update({ search: debouncedSearch });
     
  }, [debouncedSearch]);

  const list = useLoad(
    () => (view ? call(api().tracking.list({ ...selectionOf(view), sort: view.sort, page, pageSize: view.pageSize })) : Promise.resolve(null)),
    [view, page, version],
  );
  const counts = useLoad(() => call(api().tracking.counts({})), [version]);
  const programs = useLoad(() => call(api().programs.list({})), [version]);
  const saved = useLoad(() => call(api().filters.list({})), [version]);
  const changed = () => setVersion((v) => v + 1);
  const total = list.data?.total ?? 0;
  const sort: DataTableSortStatus<TrackingRow> = { columnAccessor: view?.sort.column ?? 'contactName', direction: view?.sort.direction ?? 'asc' };

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Title order={2}>Tracking</Title>
          <Text c="dimmed" size="sm">
            Certification records: who applied, who is working towards a certification, who holds one.
          </Text>
        </Stack>
        <ActionRequired counts={counts.data} onPick={(status) => update({ quick: { kind: 'status', status }, filter: null, search: '' })} />
      </Group>
      <Group justify="space-between" align="flex-end">
        <Group align="flex-end" gap="sm">
          {view && <QuickFilter value={view.quick} counts={counts.data} onChange={(quick) => update({ quick })} />}
          <TextInput
            label="Contact name"
            placeholder="Search by name"
            value={searchText}
            onChange={(e) => setSearchText(e.currentTarget.value)}
            rightSection={searchText ? <CloseButton aria-label="Clear search" onClick={() => setSearchText('')} /> : null}
            w={240}
          />
          <Button variant={view?.filter ? 'light' : 'default'} onClick={() => setBuilderOpen(true)} data-testid="customize-filter">
            Customize Filter
          </Button>
          <SavedFilters filters={saved.data ?? []} onApply={(filter) => update({ filter })} onChanged={changed} />
        </Group>
        <Group gap="sm">
          <Button variant="default" onClick={() => setImportOpen(true)}>
            Import…
          </Button>
          <Button variant="default" onClick={() => setEnroll({})}>
            Enroll contact
          </Button>
          {view && <ExportButton view={view} total={total} />}
        </Group>
      </Group>
      {view?.filter && (
        <Group gap="xs" data-testid="active-filter">
          <Badge variant="light" size="lg" radius="sm" tt="none" rightSection={<CloseButton size="xs" aria-label="Clear Customize Filter" onClick={() => update({ filter: null })} />}>
            Filter: {describeFilter(view.filter, { programName: (id) => programs.data?.find((p) => p.id === id)?.name })}
          </Badge>
        </Group>
      )}
      {list.error && (
        <Alert color="red" title="The list could not be loaded">
          {list.error}{' '}
          <Button size="xs" variant="subtle" onClick={list.reload}>
            Try again
          </Button>
        </Alert>
      )}
      {view && (
        <BulkBar
          view={view}
          selectedIds={selected.map((r) => r.id)}
          allMatching={allMatching}
          total={total}
          onSelectAllMatching={() => setAllMatching(true)}
          onClear={() => {
            setSelected([]);
            setAllMatching(false);
          }}
          onDone={() => {
            setSelected([]);
            setAllMatching(false);
            changed();
          }}
        />
      )}
      {view && list.data && total === 0 && (view.search ?? '').trim() !== '' && (
        <NotEnrolledHint search={view.search ?? ''} onEnroll={(contact) => setEnroll({ contact })} />
      )}
      <Paper withBorder radius="md">
        <DataTable<TrackingRow>
          data-testid="tracking-table"
          minHeight={300}
          height="calc(100vh - 300px)"
          highlightOnHover
          striped
          verticalSpacing={6}
          records={list.data?.rows ?? []}
          columns={TRACKING_COLUMNS}
          fetching={list.loading}
          totalRecords={total}
          recordsPerPage={view?.pageSize ?? 50}
          page={page}
          onPageChange={setPage}
          recordsPerPageOptions={PAGE_SIZES}
          onRecordsPerPageChange={(pageSize) => update({ pageSize })}
          sortStatus={sort}
          onSortStatusChange={(s) => update({ sort: { column: s.columnAccessor as SortColumn, direction: s.direction } })}
          selectedRecords={selected}
          onSelectedRecordsChange={(rows) => {
            setSelected(rows);
            setAllMatching(false);
          }}
          onRowClick={({ record }) => setOpenId(record.id)}
          paginationText={({ from, to, totalRecords }) => `${from}–${to} of ${totalRecords.toLocaleString()} records`}
          noRecordsText={view?.quick.kind === 'all' && !view.filter && !view.search ? 'No certification records yet: enroll a contact to start' : 'No records match these filters'}
          customRowAttributes={(r) => ({ 'data-record-id': r.id })}
        />
      </Paper>
      <RecordDrawer id={openId} onClose={() => setOpenId(null)} onChanged={changed} />
      {builderOpen && view && (
        <FilterBuilder
          opened
          initial={view.filter ?? null}
          programs={programs.data ?? []}
          onApply={(filter) => update({ filter })}
          onSaved={changed}
          onClose={() => setBuilderOpen(false)}
        />
      )}
      <ImportModal
        opened={importOpen}
        onClose={() => setImportOpen(false)}
        onDone={() => {
          setImportOpen(false);
          changed();
        }}
      />
      <EnrollModal
        target={enroll}
        onClose={() => setEnroll(null)}
        onDone={(recordId) => {
          setEnroll(null);
          changed();
          setOpenId(recordId);
        }}
      />
    </Stack>
  );
}
