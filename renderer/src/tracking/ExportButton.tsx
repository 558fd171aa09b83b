import { Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call, followJob, messageOf } from '../api';
import { useAppEvent } from '../events';
import { selectionOf, type TrackingView } from './view';

const ID = 'csv-export';

/** The browser harness: the finished file comes as a download. */
function download(url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = '';
  document.body.append(link);
  link.click();
  link.remove();
}

/**
 * Exports every matching row (not just the page) to CSV, showing progress while it
 * runs, then asks where to save it (desktop) or downloads it (harness), and offers
 * to show the saved file in its folder.
 */
export function ExportButton({ view, total }: { view: TrackingView; total: number }) {
  const [busy, setBusy] = useState(false);
  const run = async () => {
    if (busy || total === 0) return;
    setBusy(true);
    notifications.show({ id: ID, loading: true, autoClose: false, withCloseButton: false, title: 'Exporting to CSV', message: `0 of ${total.toLocaleString()} rows` });
    try {
      const job = await followJob(api().tracking.exportCsv({ ...selectionOf(view), sort: view.sort }), (j) =>
        notifications.update({ id: ID, message: j.message || 'Starting…' }),
      );
      const result = job.result;
      const rows = `${result.rows.toLocaleString()} rows`;
      notifications.update({ id: ID, message: `${rows} ready. Choose where to save the file…` });
      const saved = await call(api().tracking.saveExport({ id: job.id }));
      if (saved.download) download(saved.download);
      const id = job.id;
      const done = { id: ID, loading: false, autoClose: false, withCloseButton: true } as const;
      if (saved.savedTo) {
        notifications.update({
          ...done,
          color: 'green',
          title: `Exported ${rows}`,
          message: (
            <Group gap="xs" wrap="nowrap" align="center">
              <Text size="sm" data-testid="export-path" style={{ wordBreak: 'break-all' }}>
                {saved.savedTo}
              </Text>
              <Button size="compact-xs" variant="light" onClick={() => void call(api().tracking.showExport({ id }))}>
                Show in folder
              </Button>
            </Group>
          ),
        });
      } else if (saved.download) {
        notifications.update({ ...done, color: 'green', title: `Exported ${rows}`, message: 'Downloaded by the browser.' });
      } else {
        notifications.update({ ...done, color: 'gray', title: 'Export not saved', message: 'No file was chosen, so nothing was saved.' });
      }
    } catch (err) {
      notifications.update({ id: ID, loading: false, autoClose: false, withCloseButton: true, color: 'red', title: 'Export failed', message: messageOf(err) });
    } finally {
      setBusy(false);
    }
  };
  useAppEvent('menu:export', () => void run());
  return (
    <Button variant="default" onClick={() => void run()} loading={busy} disabled={total === 0}>
      Export CSV
    </Button>
  );
}
