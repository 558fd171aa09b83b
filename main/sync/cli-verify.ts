/**
 * Checks every batch in a folder against its manifest, and the batches'
 * ranges against each other:   npm run sync:verify -- DIR
 * Exit 0 when everything verifies, 1 with the list of problems otherwise.
 */
import { readCommandLine, say } from './cli-args';
import { verifyFolder } from './verify';

const USAGE = 'Usage: npm run sync:verify -- DIR\n';

async function main(): Promise<number> {
  const args = readCommandLine(USAGE, { allowPositionals: true, options: {} });
  if ('exitCode' in args) return args.exitCode;
  const { positionals } = args;
  const folder = positionals[0];
  if (!folder || positionals.length > 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  say(`Verifying ${folder}`);
  const report = await verifyFolder(folder, {
    onBatch(b) {
      say(`  ${b.ok ? 'ok  ' : 'FAIL'} ${b.name}${b.fromSeq !== null ? ` (seq ${b.fromSeq}–${b.toSeq ?? ''}, ${b.changes} changes)` : ''}`);
    },
  });
  for (const w of report.warnings) say(`  warning: ${w.batch ? `${w.batch}: ` : ''}${w.message}`);
  for (const p of report.problems) say(`  problem: ${p.batch ? `${p.batch}: ` : ''}${p.message}`);
  const changes = report.batches.reduce((n, b) => n + b.changes, 0);
  const batches = `${report.batches.length} batch${report.batches.length === 1 ? '' : 'es'}`;
  if (report.ok) say(`OK: ${batches}, ${changes} changes, all verify.`);
  else say(`FAILED: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} in ${batches}.`);
  return report.ok ? 0 : 1;
}

process.exitCode = await main();
