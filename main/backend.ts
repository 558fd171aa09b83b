/**
 * CertDesk without Electron: the database, the scheduler, the session and the
 * handler table behind one `invoke`. The Electron shell and the browser
 * harness both start exactly this, so they cannot drift apart.
 */
import { closeDatabase, openDatabase } from './db/database';
import { openReader } from './db/reader';
import type { Envelope } from './ipc/contract';
import { invoke, type Logger } from './ipc/handle';
import { handlers, Session, type DesktopActions, type HandlerContext } from './ipc/handlers';
import { systemClock, type Clock } from './services/context';
import { Jobs } from './jobs';
import { Scheduler } from './scheduler';
import type { StartupReporter } from './startup';

export interface BackendOptions {
  dataDir: string;
  version: string;
  clock?: Clock;
  log?: Logger;
  /** Opens the admin settings window (Electron only; the browser harness uses a route instead). */
  openSettingsWindow?: () => void;
  desktop?: DesktopActions;
  /** Tells the start-up screen which phase is running. */
  startup?: StartupReporter;
}

export interface Backend {
  context: HandlerContext;
  scheduler: Scheduler;
  invoke(name: string, input: unknown): Promise<Envelope<unknown>>;
  close(): Promise<void>;
}

export async function startBackend(options: BackendOptions): Promise<Backend> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => undefined);
  const startup = options.startup;
  startup?.enter('database');
  const db = await openDatabase({ dataDir: options.dataDir, now: () => clock.now() });
  const services = { db, clock };
  const reader = openReader(options.dataDir);
  const scheduler = new Scheduler(services, options.dataDir, { onError: (job, err) => log(`${job} failed`, err) });
  const context: HandlerContext = {
    services,
    reader,
    jobs: new Jobs(),
    scheduler,
    session: new Session(),
    dataDir: options.dataDir,
    version: options.version,
    openSettingsWindow: options.openSettingsWindow,
    desktop: options.desktop,
    savedExports: new Map(),
  };
  await scheduler.start(startup);
  return {
    context,
    scheduler,
    invoke: (name, input) => invoke(handlers, context, name, input, log),
    async close() {
      await scheduler.stop();
      await context.jobs.idle();
      await reader.destroy();
      await closeDatabase(db);
    },
  };
}
