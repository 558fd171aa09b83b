import { Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api, call, messageOf } from '../api';
import { useJob } from '../shared/useJob';
import { selectionOf, type TrackingView } from './view';

/** Exports every matching row (not just the page) to CSV, showing progress while it runs. */
export function ExportButton({ view, total }: { view: TrackingView; total: number }) {
  const exportJob = useJob<{ file: string; rows: number }>();
  const run = async () => {
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
  return (
    <Button variant="default" onClick={() => void run()} loading={exportJob.running} disabled={total === 0}>
      Export CSV
    </Button>
  );
}
