import { Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api, call, messageOf } from '../api';
import { useJob } from '../shared/useJob';
import { selectionOf, type TrackingView } from './view';

/** Exports every matching row (not just the page) to CSV, showing progress while it runs (the button and Ctrl/Cmd+E). */
export function useCsvExport(view: TrackingView | null, total: number) {
  const exportJob = useJob<{ file: string; rows: number }>();
  const run = async () => {
    if (!view || total === 0 || exportJob.running) return;
    const id = 'csv-export';
    notifications.show({ id, loading: true, autoClose: false, withCloseButton: false, title: 'Exporting to CSV', message: `0 of ${total.toLocaleString()} rows` });
    try {
      const result = await exportJob.run(
        () => call(api().tracking.exportCsv({ ...selectionOf(view), sort: view.sort })),
        (job) => notifications.update({ id, message: job.message || 'Starting…' }),
      );
      notifications.update({
        id,
        loading: false,
        autoClose: false,
        withCloseButton: true,
        color: 'green',
        title: `Exported ${result.rows.toLocaleString()} rows`,
        message: <span data-testid="export-path">{result.file}</span>,
      });
    } catch (err) {
      notifications.update({ id, loading: false, autoClose: false, withCloseButton: true, color: 'red', title: 'Export failed', message: messageOf(err) });
    }
  };
  return { run, running: exportJob.running, disabled: !view || total === 0 };
}

export function ExportButton({ csv }: { csv: ReturnType<typeof useCsvExport> }) {
  return (
    <Button variant="default" onClick={() => void csv.run()} loading={csv.running} disabled={csv.disabled} title="Export CSV (Ctrl/Cmd+E)">
      Export CSV
    </Button>
  );
}
