import { Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api, call, messageOf } from '../api';
import { useAppEvent } from '../events';
import { useJob } from '../shared/useJob';
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
 * to show the saved file in its folder. Started by the button, Ctrl/Cmd+E or the menu.
 * `total`: the list's, null while it is counted.
 */
export function useCsvExport(view: TrackingView | null, total: number | null) {
  const exportJob = useJob();
  const run = async () => {
    if (!view || exportJob.running || total === 0) return;
    notifications.show({
      id: ID,
      loading: true,
      autoClose: false,
      withCloseButton: false,
      title: 'Exporting to CSV',
      // The total may still be being counted (null).
      message: total === null ? 'Starting…' : `0 of ${total.toLocaleString()} rows`,
    });
    try {
      const { id, result } = await exportJob.run(api().tracking.exportCsv({ ...selectionOf(view), sort: view.sort }), (job) =>
        notifications.update({ id: ID, message: job.message || 'Starting…' }),
      );
      const rows = `${result.rows.toLocaleString()} rows`;
      notifications.update({ id: ID, message: `${rows} ready. Choose where to save the file…` });
      const saved = await call(api().tracking.saveExport({ id }));
      if (saved.download) download(saved.download);
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
    }
  };
  useAppEvent('menu:export', () => void run());
  return { run, running: exportJob.running, disabled: !view || total === 0 };
}

export function ExportButton({ csv }: { csv: ReturnType<typeof useCsvExport> }) {
  return (
    <Button variant="default" onClick={() => void csv.run()} loading={csv.running} disabled={csv.disabled} title="Export CSV (Ctrl/Cmd+E)">
      Export CSV
    </Button>
  );
}
