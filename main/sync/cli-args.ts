/**
 * What the sync CLIs (cli-export, cli-load, cli-verify) share: reading the command line with its usage
 * line on a mistake or --help, and saying one line of progress.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorMessage } from './errors';

export interface CliArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * The parsed command line, or the exit code to end with: 2 after a mistake (said with the usage, on
 * stderr), 0 after `--help` (the usage, on stdout) when the options have one.
 */
export function readCommandLine(usage: string, config: Pick<ParseArgsConfig, 'options' | 'allowPositionals'>): CliArgs | { exitCode: number } {
  let parsed: CliArgs;
  try {
    parsed = parseArgs(config) as CliArgs;
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n${usage}`);
    return { exitCode: 2 };
  }
  if (parsed.values.help === true) {
    process.stdout.write(usage);
    return { exitCode: 0 };
  }
  return parsed;
}

/** One line of progress on stdout. */
export const say = (line: string): void => void process.stdout.write(`${line}\n`);
