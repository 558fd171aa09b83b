import { Alert, Badge, Button, CloseButton, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { DataTable, type DataTableSortStatus } from 'mantine-datatable';
import { Suspense, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { describeFilter } from '../../../main/filters/fields';
import type { SortColumn, TrackingRow } from '../../../main/ipc/contract';
import { useAppEvent } from '../events';
import { formatDatesIn } from '../shared/dates';
import { useAfterFirstPaint } from '../shared/useAfterFirstPaint';
import { useDialogTarget } from '../shared/useDialogTarget';
import { sayFirstScreenShown } from '../firstScreen';
import { ActionRequired } from './ActionRequired';
import type { ApplicationTarget } from './ApplicationModal';
import { BulkBar } from './BulkBar';
import { TRACKING_COLUMNS } from './columns';
import type { EnrollTarget } from './EnrollModal';
import { ExportButton, useCsvExport } from './ExportButton';
import { NotEnrolledHint } from './NotEnrolledHint';
import { ApplicationModal, EnrollModal, FilterBuilder, ImportModal, prefetchTrackingParts, RecordDrawer } from './parts';
import { QuickFilter } from './QuickFilter';
import { SavedFilters } from './SavedFilters';
import { useTrackingView } from './useTrackingView';
import type { Selection } from './view';

const PAGE_SIZES = [25, 50, 100, 200];
const NO_ROWS: TrackingRow[] = [];
/** Rows a window shows without scrolling, with room to spare (a row is about 45 px tall). */
const FIRST_ROWS = 20;

/** Rows are reached with Tab and the arrow keys; Enter (or Space) opens the record. */
function onRowKey(event: KeyboardEvent<HTMLTableRowElement>, open: () => void) {
  if (event.target !== event.currentTarget) return; // a key in the row's checkbox is the checkbox's
  const row = event.currentTarget;
  const move = (to: Element | null | undefined) => {
    if (to instanceof HTMLElement) {
      event.preventDefault();
      to.focus();
    }
  };
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    open();
  } else if (event.key === 'ArrowDown') move(row.nextElementSibling);
  else if (event.key === 'ArrowUp') move(row.previousElementSibling);
  else if (event.key === 'Home') move(row.parentElement?.firstElementChild);
  else if (event.key === 'End') move(row.parentElement?.lastElementChild);
}

/** "1–50 of 7,946 records"; while the total is counted, or when counting failed, the rows shown and that. */
function paginationText(from: number, to: number, total: number | null, countError: string | null): string {
  if (total !== null) return `${from}–${to} of ${total.toLocaleString()} records`;
  return countError === null ? `${from}–${to} of … records (counting)` : `${from}–${to} (the total could not be counted: ${countError})`;
}

/** `opening`: a selection to show instead of the last one (a dashboard number was clicked). */
export function TrackingPage({ opening = null }: { opening?: Selection | null }) {
  const t = useTrackingView(opening);
  const { view, list, total } = t;
  // The first render draws the rows a window shows and none of the closed dialogs; the rest follows its paint.
  const painted = useAfterFirstPaint();
  const allRows = list.data?.rows ?? NO_ROWS;
  const rows = painted ? allRows : allRows.slice(0, FIRST_ROWS);
  const listShown = list.data !== null;
  useEffect(() => {
    if (listShown) sayFirstScreenShown();
  }, [listShown]);
  const [openId, setOpenId] = useState<number | null>(null);
  const [builderOpen, setBuilderOpen] = useState(false);
  const enroll = useDialogTarget<EnrollTarget>();
  const [importOpen, setImportOpen] = useState(false);
  const application = useDialogTarget<ApplicationTarget>();
  useAppEvent('menu:import', () => setImportOpen(true));
  const searchBox = useRef<HTMLInputElement>(null);
  const csv = useCsvExport(view, total);
  const dialogOpen = openId !== null || builderOpen || importOpen || enroll.opened || application.opened;
  // The page's shortcuts (also listed in the desktop app's Help menu); not while a dialog is in front.
  useHotkeys(
    [
      [
        'mod+F',
        () => {
          if (!dialogOpen) searchBox.current?.select();
        },
      ],
      ['mod+shift+F', () => setBuilderOpen((open) => open || !dialogOpen)],
      ['mod+E', () => void (dialogOpen ? undefined : csv.run())],
    ],
    [],
  );
  const hasRows = (list.data?.rows.length ?? 0) > 0;
  useEffect(() => {
    if (hasRows) prefetchTrackingParts();
  }, [hasRows]);
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
        <ActionRequired counts={t.counts.data} onPick={(status) => t.update({ quick: { kind: 'status', status }, filter: null, search: '' })} />
      </Group>
      <Group justify="space-between" align="flex-end">
        <Group align="flex-end" gap="sm">
          {view && <QuickFilter value={view.quick} counts={t.counts.data} onChange={(quick) => t.update({ quick })} />}
          <TextInput
            ref={searchBox}
            label="Contact name"
            placeholder="Search by name"
            value={t.searchText}
            onChange={(e) => t.search(e.currentTarget.value)}
            rightSection={t.searchText ? <CloseButton aria-label="Clear search" onClick={() => t.search('')} /> : null}
            w={240}
          />
          <Button
            variant={view?.filter ? 'light' : 'default'}
            onClick={() => setBuilderOpen(true)}
            data-testid="customize-filter"
            title="Customize Filter (Ctrl/Cmd+Shift+F)"
          >
            Customize Filter
          </Button>
          <SavedFilters filters={t.saved.data ?? []} onApply={(filter) => t.update({ filter })} onChanged={t.changed} />
        </Group>
        <Group gap="sm">
          <Button variant="default" onClick={() => setImportOpen(true)}>
            Import…
          </Button>
          <Button variant="default" onClick={() => application.open({})}>
            Record application
          </Button>
          <Button variant="default" onClick={() => enroll.open({})}>
            Enroll contact
          </Button>
          <ExportButton csv={csv} />
        </Group>
      </Group>
      {view?.filter && (
        <Group gap="xs" data-testid="active-filter">
          <Badge
            variant="light"
            size="lg"
            radius="sm"
            tt="none"
            rightSection={<CloseButton size="xs" aria-label="Clear Customize Filter" onClick={() => t.update({ filter: null })} />}
          >
            Filter: {formatDatesIn(describeFilter(view.filter, { programName: (id) => t.programs.data?.find((p) => p.id === id)?.name }))}
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
          selectedIds={t.selected.map((r) => r.id)}
          allMatching={t.allMatching}
          total={total}
          onSelectAllMatching={t.selectAllMatching}
          onClear={t.clearSelection}
          onDone={() => {
            t.clearSelection();
            t.changed();
          }}
        />
      )}
      {view && list.data && total === 0 && (view.search ?? '').trim() !== '' && (
        <NotEnrolledHint
          search={view.search ?? ''}
          onEnroll={(contact) => enroll.open({ contact })}
          onApplication={(contact) => {
            // The dialog takes the drawer's place; recording opens the new record.
            setOpenId(null);
            application.open({ contact });
          }}
        />
      )}
      <Paper withBorder radius="md">
        <DataTable<TrackingRow>
          data-testid="tracking-table"
          aria-busy={t.busy}
          minHeight={300}
          height="calc(100vh - 300px)"
          highlightOnHover
          striped
          verticalSpacing={6}
          records={rows}
          columns={TRACKING_COLUMNS}
          fetching={list.loading}
          // While the total is counted, the pages known so far (the next page opens once it is known).
          totalRecords={total ?? (t.page - 1) * (view?.pageSize ?? 50) + (list.data?.rows.length ?? 0)}
          recordsPerPage={view?.pageSize ?? 50}
          page={t.page}
          onPageChange={t.setPage}
          recordsPerPageOptions={PAGE_SIZES}
          onRecordsPerPageChange={(pageSize) => t.update({ pageSize })}
          sortStatus={sort}
          onSortStatusChange={(s) => t.update({ sort: { column: s.columnAccessor as SortColumn, direction: s.direction } })}
          selectedRecords={t.selected}
          onSelectedRecordsChange={t.select}
          onRowClick={({ record }) => setOpenId(record.id)}
          paginationText={({ from, to, totalRecords }) => paginationText(from, to, total === null ? null : totalRecords, t.totalError)}
          noRecordsText={
            view?.quick.kind === 'all' && !view.filter && !view.search
              ? 'No certification records yet: enroll a contact to start'
              : 'No records match these filters'
          }
          customRowAttributes={(r) => ({
            'data-record-id': r.id,
            tabIndex: 0,
            onKeyDown: (e: KeyboardEvent<HTMLTableRowElement>) => onRowKey(e, () => setOpenId(r.id)),
          })}
        />
      </Paper>
      {/* Mounted closed once the first rows are painted (their chunks load then), so each returns focus on close. */}
      {painted && (
        <Suspense fallback={null}>
          <RecordDrawer
            id={openId}
            onClose={() => setOpenId(null)}
            onChanged={t.changed}
            onApplication={(contact) => {
              // The dialog takes the drawer's place; recording opens the new record.
              setOpenId(null);
              application.open({ contact });
            }}
          />
          {builderOpen && view && (
            <Suspense fallback={null}>
              <FilterBuilder
                opened
                initial={view.filter ?? null}
                programs={t.programs.data ?? []}
                onApply={(filter) => t.update({ filter })}
                onSaved={t.changed}
                onClose={() => setBuilderOpen(false)}
              />
            </Suspense>
          )}
          <ImportModal
            opened={importOpen}
            onClose={() => setImportOpen(false)}
            onDone={() => {
              setImportOpen(false);
              t.changed();
            }}
          />
          <ApplicationModal
            key={`application-${application.key}`}
            target={application.target}
            opened={application.opened}
            onClose={application.close}
            onClosed={application.closed}
            onDone={(recordId) => {
              application.close();
              t.changed();
              setOpenId(recordId);
            }}
          />
          <EnrollModal
            key={`enroll-${enroll.key}`}
            target={enroll.target}
            opened={enroll.opened}
            onClose={enroll.close}
            onClosed={enroll.closed}
            onDone={(recordId) => {
              enroll.close();
              t.changed();
              setOpenId(recordId);
            }}
          />
        </Suspense>
      )}
    </Stack>
  );
}
