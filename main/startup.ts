/**
 * Start-up without a blank screen: the window (or the harness page) opens at
 * once and asks `startup.status` what is happening while the backend opens (and
 * migrates) the database. Every other call waits until the backend is ready;
 * then the integrity check, the daily backup and the sweep run in the
 * background, shown as `background`. A refused database — at open, or damage
 * the background check finds later — is reported with the newest good backup,
 * which the start-up screen can put back; every other call is refused then.
 * No Electron here: the desktop shell and the browser harness both use it.
 */
import path from 'node:path';
import type { Backend } from './backend';
import { backupToOffer, restoreBackup } from './db/backup';
import { failureInWords } from './db/error-words';
import { lockDataFolder, type FolderLock } from './db/folder-lock';
import type { Envelope } from './ipc/contract';
import type { Logger } from './ipc/handle';
import { STARTUP_PHASES, type BackgroundWork, type RefusedDatabase, type StartupStatus, type StartupStep } from './domain/startup';

export { STARTUP_PHASES, type RefusedDatabase, type StartupStatus, type StartupStep };

export class StartupReporter {
  private current: StartupStatus;
  private readonly listeners = new Set<(status: StartupStatus) => void>();

  private readonly steps: StartupStep[];

  constructor(steps: readonly StartupStep[] = ['database']) {
    this.steps = [...steps];
    this.current = {
      phase: 'starting',
      message: 'Starting CertDesk',
      plan: this.plan(),
      step: 0,
      steps: steps.length,
      done: null,
      total: null,
      refused: null,
      background: null,
    };
  }

  private plan(): string[] {
    return this.steps.map((s) => STARTUP_PHASES[s]);
  }

  get status(): StartupStatus {
    return { ...this.current, plan: [...this.current.plan], background: this.current.background && { ...this.current.background } };
  }

  /** Enters a phase; a phase not in this start's list (e.g. `demo` without --demo) is added at the end. */
  enter(phase: StartupStep): void {
    if (!this.steps.includes(phase)) this.steps.push(phase);
    const step = this.steps.indexOf(phase) + 1;
    this.set({ phase, message: STARTUP_PHASES[phase], plan: this.plan(), step, steps: this.steps.length, done: null, total: null });
  }

  /** Progress inside the current step, or inside the background work while it runs. */
  progress(done: number, total: number | null): void {
    const background = this.current.background;
    if (background) this.set({ background: { ...background, done, total } });
    else this.set({ done, total });
  }

  /** Start-up work running after ready (the list answers meanwhile); null when it has finished. */
  working(step: StartupStep | null): void {
    const background: BackgroundWork | null = step ? { step, message: STARTUP_PHASES[step], done: null, total: null } : null;
    this.set({ background });
  }

  ready(): void {
    if (this.current.phase === 'refused') return; // damage found meanwhile stays on screen
    this.set({ phase: 'ready', message: 'Ready', step: this.current.steps, done: null, total: null });
  }

  refuse(refused: RefusedDatabase): void {
    this.set({ phase: 'refused', message: 'CertDesk cannot open its database', done: null, total: null, refused, background: null });
  }

  onChange(listener: (status: StartupStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(change: Partial<StartupStatus>): void {
    this.current = { ...this.current, ...change };
    for (const listener of this.listeners) listener(this.status);
  }
}

/** The calls answered while the backend starts (they are in the contract as `public`). */
export const STARTUP_CALLS = ['startup.status', 'startup.restoreBackup', 'startup.firstScreenShown'] as const;

export interface StartupGate {
  readonly reporter: StartupReporter;
  /** Every call: start-up calls at once, the others once the backend is ready. */
  invoke(name: string, input: unknown): Promise<Envelope<unknown>>;
  /** The backend once started (null while starting or refused). */
  backend(): Backend | null;
  /** Resolves with the backend, or null when the database was refused. */
  whenReady(): Promise<Backend | null>;
  close(): Promise<void>;
}

export interface GateOptions {
  dataDir: string;
  /** Starts the backend, reporting its phases (startBackend, plus the harness's demo data). */
  start: (reporter: StartupReporter) => Promise<Backend>;
  reporter?: StartupReporter;
  now?: () => Date;
  log?: Logger;
  /** How long after ready the check, the daily backup and the sweep wait for the first screen (BACKGROUND_WAIT_MS). */
  backgroundWaitMs?: number;
}

/**
 * The check, the daily backup and the sweep share the machine's cores with the window drawing its first
 * screen (a quick_check reads the whole file; on two cores it slowed the first rows by about a second).
 * They start when the window says its first rows are on screen (`startup.firstScreenShown`), else
 * FIRST_SCREEN_DRAWN_MS after the first screen's answer (a page that never says so), or BACKGROUND_WAIT_MS
 * after ready when no window asks for a first screen (the sign-in screen, a script). A fixed second after
 * the answer was too short on a loaded two-core machine: the year's sweep started before the rows showed.
 */
export const BACKGROUND_WAIT_MS = 3000;
export const FIRST_SCREEN_DRAWN_MS = 3000;

/** Main's own modules failed to load (a half-updated or damaged install): not the data's doing. */
export class ProgramFilesError extends Error {}

export const PROGRAM_FILES_BROKEN =
  'CertDesk could not load its own program files: the installation is incomplete or damaged. Install CertDesk again; your data was not touched.';

/** Loads the backend's modules (imported after the window opens): a failure there is the program's, not the database's. */
export function loadProgram<T>(load: () => Promise<T>): Promise<T> {
  return load().catch((err: unknown) => {
    throw new ProgramFilesError(String(err));
  });
}

export function refusalOf(dataDir: string, err: unknown): RefusedDatabase {
  // No backup is offered: putting one back would move a healthy database aside.
  if (err instanceof ProgramFilesError) return { message: PROGRAM_FILES_BROKEN, kind: 'program', dataDir, newestBackup: null };
  const words = failureInWords(err, { dataDir });
  const kind = words?.kind ?? 'other';
  // A backup is the answer to a damaged file only: a read-only folder or another CertDesk on it is not damage.
  const newest = kind === 'damaged' || kind === 'other' ? backupToOffer(dataDir) : null;
  return {
    message: words?.message ?? `CertDesk could not open its database: ${err instanceof Error ? err.message : String(err)}`,
    kind,
    dataDir,
    newestBackup: newest ? path.basename(newest) : null,
  };
}

/** Starts the backend behind a gate; the shell registers `invoke` before it is ready. */
export function startGated(options: GateOptions): StartupGate {
  const reporter = options.reporter ?? new StartupReporter();
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => undefined);
  let backend: Backend | null = null;
  let closed = false;
  // One CertDesk per data folder (a shared CERTDESK_DATA_DIR too): taken before the database is opened.
  let lock: FolderLock | null = null;
  let background: ReturnType<typeof setTimeout> | undefined;
  /** Starts start-up's background work `ms` from now, or sooner if already planned so. */
  let backgroundAt = Infinity;
  const startBackgroundIn = (started: Backend, ms: number): void => {
    if (Date.now() + ms >= backgroundAt) return;
    backgroundAt = Date.now() + ms;
    clearTimeout(background);
    background = setTimeout(() => {
      if (!closed) void started.startupWork();
    }, ms);
  };

  const begin = (): Promise<Backend | null> =>
    Promise.resolve()
      .then(() => {
        lock ??= lockDataFolder(options.dataDir);
        return options.start(reporter);
      })
      .then(
        async (started) => {
          if (closed) {
            await started.close();
            lock?.release();
            lock = null;
            return null;
          }
          backend = started;
          reporter.ready();
          // Shown (and watched by the page) from ready on, though it starts once the first screen is drawn.
          reporter.working('check');
          backgroundAt = Infinity;
          startBackgroundIn(started, options.backgroundWaitMs ?? BACKGROUND_WAIT_MS);
          return started;
        },
        (err: unknown) => {
          log('database refused', err);
          lock?.release();
          lock = null;
          reporter.refuse(refusalOf(options.dataDir, err));
          return null;
        },
      );
  let pending = begin();

  const refusedEnvelope = (): Envelope<never> => ({
    ok: false,
    error: { code: 'REFUSED', message: reporter.status.refused?.message ?? 'CertDesk is closing.' },
  });

  async function restoreNewest(): Promise<Envelope<unknown>> {
    const refused = reporter.status.refused;
    if (reporter.status.phase !== 'refused' || !refused) {
      return { ok: false, error: { code: 'REFUSED', message: 'The database is open; there is nothing to restore.' } };
    }
    const newest = backupToOffer(options.dataDir);
    if (!newest) return { ok: false, error: { code: 'NOT_FOUND', message: 'There is no backup to restore.' } };
    try {
      // Damage found by the background check: the damaged file is still open; close it before moving it aside.
      const open = backend;
      backend = null;
      await open?.close();
      const { movedAside } = await restoreBackup(options.dataDir, newest, now());
      reporter.enter('database');
      pending = begin();
      return { ok: true, value: { restored: path.basename(newest), movedAside } };
    } catch (err) {
      log('restoring a backup failed', err);
      return { ok: false, error: { code: 'INTERNAL', message: `The backup could not be put back: ${err instanceof Error ? err.message : String(err)}` } };
    }
  }

  return {
    reporter,
    backend: () => backend,
    whenReady: () => pending,
    async invoke(name, input) {
      if (name === 'startup.status') return { ok: true, value: reporter.status };
      if (name === 'startup.restoreBackup') return restoreNewest();
      if (name === 'startup.firstScreenShown') {
        if (backend && reporter.status.phase === 'ready') startBackgroundIn(backend, 0);
        return { ok: true, value: null };
      }
      const ready = await pending;
      // Damage found after ready refuses every call here, with the same sentence as the screen.
      if (!ready || reporter.status.phase === 'refused') return refusedEnvelope();
      const answer = await ready.invoke(name, input);
      if (name === 'app.firstScreen') startBackgroundIn(ready, FIRST_SCREEN_DRAWN_MS);
      return answer;
    },
    async close() {
      closed = true;
      clearTimeout(background);
      const ready = await pending;
      backend = null;
      await ready?.close();
      lock?.release();
      lock = null;
    },
  };
}
