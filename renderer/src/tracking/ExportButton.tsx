import { Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, followJob, messageOf } from '../api';
import { selectionOf, type TrackingView } from './view';


/** Exports every matching row (not just the page) to CSV, showing progress while it runs. */
export function ExportButton({ view, total }: { view: TrackingView; total: number }) {
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    const id = 'csv-export';
    notifications.show({ id, loading: true, autoClose: false, withCloseButton: false, title: 'Exporting to CSV', message: `0 of ${total.toLocaleString()} rows` });
    try {
      const result = await followJob(api().tracking.exportCsv({ ...selectionOf(view), sort: view.sort }), (job) =>
        notifications.update({ id, message: job.message || 'Starting…' }),
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
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button variant="default" onClick={() => void run()} loading={busy} disabled={total === 0}>
      Export CSV
    </Button>
  );
}
