/**
 * Headless sync export, for a scheduled task on a machine nobody is logged in to:
 *   npm run sync:export -- --data DIR [--to FOLDER] [--max N]
 * DIR is the app's data folder (as `npm run web` takes it); FOLDER defaults to
 * the sync folder set in the app's settings.
 */
import fs from 'node:fs';
import { closeDatabase, databaseFile, openDatabase } from '../db/database';
import { readCommandLine, say } from './cli-args';
import { errorMessage } from './errors';
import { exportChanges } from './export';

const USAGE = 'Usage: npm run sync:export -- --data DIR [--to FOLDER] [--max CHANGES_PER_BATCH]\n';

async function main(): Promise<number> {
  const args = readCommandLine(USAGE, {
    options: { data: { type: 'string' }, to: { type: 'string' }, max: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if ('exitCode' in args) return args.exitCode;
  const values = args.values as { data?: string; to?: string; max?: string };
  const dataDir = values.data ?? process.env.CERTDESK_DATA_DIR;
  if (!dataDir) {
    process.stderr.write(`Say which data folder to export: --data DIR.\n${USAGE}`);
    return 2;
  }
  const maxChanges = values.max === undefined ? undefined : Number(values.max);
  if (maxChanges !== undefined && (!Number.isSafeInteger(maxChanges) || maxChanges < 1)) {
    process.stderr.write(`--max takes a positive whole number, not ${values.max}.\n`);
    return 2;
  }
  // Never create an empty database for a mistyped path.
  if (!fs.existsSync(databaseFile(dataDir))) {
    process.stderr.write(`Export failed: there is no CertDesk database in ${dataDir} (looked for ${databaseFile(dataDir)}).\n`);
    return 1;
  }
  const db = await openDatabase({ dataDir });
  try {
    let lastMessage = '';
    const result = await exportChanges({
      db,
      dataDir,
      folder: values.to,
      maxChanges,
      trigger: 'cli',
      job: {
        progress(done, total, message) {
          if (message && message !== lastMessage) say(`  ${message}${total ? ` [${done}/${total}]` : ''}`);
          if (message) lastMessage = message;
        },
      },
    });
    for (const b of result.batches) say(`  ${b.alreadyPresent ? 'already there' : 'written'}: ${b.name} (${b.toSeq - b.fromSeq + 1} changes)`);
    if (result.changes === 0) say(`Nothing to export: every change is already in ${result.folder}.`);
    else {
      say(
        `Exported ${result.changes} changes (seq ${result.fromSeq ?? ''}–${result.toSeq ?? ''}) in ${result.batches.length} batch${result.batches.length === 1 ? '' : 'es'} to ${result.folder} in ${result.durationMs} ms.`,
      );
    }
    return 0;
  } catch (err) {
    process.stderr.write(`Export failed: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    await closeDatabase(db);
  }
}

process.exitCode = await main();
