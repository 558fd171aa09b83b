/**
 * Runs one contacts CSV import in its own process, for the kill test:
 *   node --import tsx import-child.ts DATA_DIR CSV_FILE
 * Prints "progress <done>" lines as the import writes, so the parent can
 * kill it (SIGKILL) in the middle of the transaction.
 */
import { closeDatabase, openDatabase } from '../../../main/db/database';
import { applyContactsCsv } from '../../../main/import/contacts-csv';
import { SYSTEM } from '../../../main/services/context';

const [dataDir, file] = process.argv.slice(2);
if (!dataDir || !file) throw new Error('usage: import-child.ts DATA_DIR CSV_FILE');
const db = await openDatabase({ dataDir });
try {
  const result = await applyContactsCsv(
    { db, clock: { now: () => new Date() } },
    SYSTEM,
    { file },
    {
      progress(done) {
        process.stdout.write(`progress ${done}\n`);
      },
    },
  );
  process.stdout.write(`done ${result.rows.new}\n`);
} finally {
  await closeDatabase(db);
}
