import { Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { JobStatus } from '../../../main/services/jobs';
import { api, call, messageOf } from '../api';
import { selectionOf, type TrackingView } from './view';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Exports every matching row (not just the page) to CSV, showing progress while it runs. */
export function ExportButton({ view, total }: { view: TrackingView; total: number }) {
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    const id = 'csv-export';
    notifications.show({ id, loading: true, autoClose: false, withCloseButton: false, title: 'Exporting to CSV', message: `0 of ${total.toLocaleString()} rows` });
    try {
      let job: JobStatus = await call(api().tracking.exportCsv({ ...selectionOf(view), sort: view.sort }));
      while (job.state === 'running') {
        await sleep(250);
        job = await call(api().jobs.get({ id: job.id }));
        notifications.update({ id, message: job.message || 'Starting…' });
      }
      if (job.state === 'failed') throw new Error(job.message);
      const result = job.result as { file: string; rows: number };
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
