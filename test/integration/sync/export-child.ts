/**
 * Runs one export in its own process, for the crash tests:
 *   node --import tsx export-child.ts DATA_DIR FOLDER MAX_CHANGES
 * With CERTDESK_SYNC_CRASH_AT=<step>[:<n>] the export kills this process
 * (SIGKILL) when it reaches that step of writing a batch for the n-th time.
 */
import { closeDatabase, openDatabase } from '../../../main/db/database';
import { exportChanges } from '../../../main/sync/export';

const [dataDir, folder, max] = process.argv.slice(2);
if (!dataDir || !folder || !max) throw new Error('usage: export-child.ts DATA_DIR FOLDER MAX_CHANGES');
const db = await openDatabase({ dataDir });
try {
  const result = await exportChanges({ db, dataDir, folder, maxChanges: Number(max), trigger: 'test' });
  process.stdout.write(`${JSON.stringify({ fromSeq: result.fromSeq, toSeq: result.toSeq, batches: result.batches.length })}\n`);
} finally {
  await closeDatabase(db);
}
