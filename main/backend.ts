/**
 * CertDesk without Electron: the database, the scheduler, the session and the
 * handler table behind one `invoke`. The Electron shell and the browser
 * harness both start exactly this, so they cannot drift apart.
 */
import { refuseWrites } from './db/client';
import { closeDatabase, databaseFile, openDatabase } from './db/database';
import { DAMAGED_FILE } from './db/error-words';
import { DatabaseRefusedError } from './db/errors';
import { checkDatabase } from './db/inspect';
import { openReader } from './db/reader';
import { releaseMemory } from './db/release-memory';
import type { Envelope } from './ipc/contract';
import { invoke, type Logger } from './ipc/handle';
import { handlers, Session, type DesktopActions, type HandlerContext } from './ipc/handlers';
import { systemClock, type Clock, type PasswordCost, type ServiceContext } from './services/context';
import { Jobs } from './jobs';
import { Scheduler } from './scheduler';
import { refusalOf, type StartupReporter } from './startup';

export interface BackendOptions {
  dataDir: string;
  version: string;
  clock?: Clock;
  log?: Logger;
  /** Opens the admin settings window (Electron only; the browser harness uses a route instead). */
  openSettingsWindow?: () => void;
  desktop?: DesktopActions;
  /**
   * Tells the start-up screen which phase is running. With it (the gate), quick_check, the daily backup
   * and the sweep are left to `startupWork()` after ready; without it, the check runs at open and
   * startBackend awaits the backup and the sweep (tests and scripts that open a backend directly).
   */
  startup?: StartupReporter;
  /** The background integrity check (checkDatabase on the file); tests wrap it to see when it runs. */
  check?: (file: string) => Promise<void>;
  /** scrypt cost of new password hashes: tests lower it; the desktop app never sets it (OWASP's). */
  passwordCost?: PasswordCost;
}

export interface Backend {
  context: HandlerContext;
  scheduler: Scheduler;
  /** Start-up's background work: check, daily backup, sweep, then the schedule (runs once; resolves false on damage). */
  startupWork(): Promise<boolean>;
  invoke(name: string, input: unknown): Promise<Envelope<unknown>>;
  close(): Promise<void>;
}

export async function startBackend(options: BackendOptions): Promise<Backend> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => undefined);
  const startup = options.startup;
  startup?.enter('database');
  // Behind the gate the full check waits until the list answers; opened directly, it runs here as before.
  const db = await openDatabase({ dataDir: options.dataDir, now: () => clock.now(), check: !startup });
  const services: ServiceContext = options.passwordCost ? { db, clock, passwordCost: options.passwordCost } : { db, clock };
  const reader = openReader(options.dataDir);
  const file = databaseFile(options.dataDir);
  const onDamage = (err: unknown) => {
    log('database damaged', err);
    // Nothing is written to a damaged file from here on, whoever asks; the gate shows the refusal.
    const refusal = err instanceof DatabaseRefusedError ? err : new DatabaseRefusedError('DB_CORRUPT', DAMAGED_FILE, file, String(err));
    refuseWrites(db, refusal);
    startup?.refuse(refusalOf(options.dataDir, refusal));
  };
  // What a finished job read into the connections' caches is given back (the list's pages are read again as needed).
  const afterJob = (): void => void releaseMemory(db, reader);
  const scheduler = new Scheduler(services, options.dataDir, { onError: (job, err) => log(`${job} failed`, err), onDamage, afterJob });
  const context: HandlerContext = {
    services,
    reader,
    jobs: new Jobs(afterJob),
    scheduler,
    session: new Session(),
    dataDir: options.dataDir,
    version: options.version,
    openSettingsWindow: options.openSettingsWindow,
    desktop: options.desktop,
    savedExports: new Map(),
  };
  const check = options.check ?? checkDatabase;
  let work: Promise<boolean> | null = null;
  let closing: Promise<void> | null = null;
  const backend: Backend = {
    context,
    scheduler,
    startupWork: () => (work ??= scheduler.start(startup, startup ? () => check(file) : undefined)),
    invoke: (name, input) => invoke(handlers, context, name, input, log),
    close: () =>
      (closing ??= (async () => {
        await scheduler.stop();
        await work;
        await context.jobs.idle();
        await reader.destroy();
        await closeDatabase(db);
      })()),
  };
  if (!startup) await backend.startupWork();
  return backend;
}
