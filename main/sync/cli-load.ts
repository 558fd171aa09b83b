/**
 * The reference receiver, from the command line:
 *   npm run sync:load -- DIR --pg postgres://user:password@host:5432/db
 * Loads every batch of DIR into PostgreSQL, in order; skips batches already
 * loaded; refuses a batch that does not verify or would leave a gap.
 */
import { readCommandLine, say } from './cli-args';
import { errorMessage, SyncError } from './errors';
import { loadIntoPostgres, safeUrl } from './load-pg';

const USAGE = 'Usage: npm run sync:load -- DIR --pg postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE\n';

async function main(): Promise<number> {
  const args = readCommandLine(USAGE, { allowPositionals: true, options: { pg: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if ('exitCode' in args) return args.exitCode;
  const values = args.values as { pg?: string };
  const { positionals } = args;
  const folder = positionals[0];
  if (!folder || positionals.length > 1 || !values.pg) {
    process.stderr.write(USAGE);
    return 2;
  }
  say(`Loading ${folder} into ${safeUrl(values.pg)}`);
  try {
    const result = await loadIntoPostgres({
      folder,
      pgUrl: values.pg,
      onBatch(o, i, total) {
        const held = o.held?.length ? `, ${o.held.length} held back` : '';
        say(`  [${i + 1}/${total}] ${o.outcome}: ${o.batch}${o.outcome === 'loaded' ? ` (${o.changes} changes${held})` : o.why ? ` (${o.why})` : ''}`);
        for (const h of o.held ?? []) say(`    held back: ${h.problem}`);
      },
    });
    for (const w of result.warnings) say(`  warning: ${w}`);
    if (result.ignored.length > 0) say(`  warning: this receiver has no place for ${result.ignored.join(', ')}; left out`);
    if (result.held.length > 0)
      say(`  ${result.held.length} change${result.held.length === 1 ? '' : 's'} held back (listed above and in certdesk_held_changes); the rest is loaded.`);
    say(
      `Loaded ${result.loaded} batch${result.loaded === 1 ? '' : 'es'} (${result.changes} changes), skipped ${result.skipped} already loaded, in ${result.durationMs} ms.`,
    );
    return 0;
  } catch (err) {
    const refused = err instanceof SyncError && (err.code === 'GAP' || err.code === 'INVALID_BATCH' || err.code === 'CONFLICT');
    process.stderr.write(`Load ${refused ? 'refused' : 'failed'}: ${errorMessage(err)}\n`);
    return 1;
  }
}

process.exitCode = await main();
