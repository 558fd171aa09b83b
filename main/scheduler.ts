/**
 * The one home of background work in main: the integrity check after start-up,
 * the time sweep at start-up and just after midnight in the office's time zone
 * (rescheduled when the zone changes), the sync export when due, and the daily
 * backup — at start-up and while the app runs. Runs never overlap, and stop() lets a running job finish.
 */
import { Cron } from 'croner';
import { takeBackupIfDue } from './db/backup';
import { exportChanges, type ExportResult } from './sync/export';
import { listSyncRuns } from './sync/runs';
import type { ServiceContext } from './services/context';
import type { JobProgress } from './domain/progress';
import type { StartupReporter } from './startup';
import { readSettings } from './services/settings';
import { runSweep, type SweepProgress, type SweepResult } from './services/sweep';

export interface SchedulerEvents {
  onSweep?: (result: SweepResult) => void;
  /** The start-up check found the file damaged: nothing more runs, and the backend stops every write. */
  onDamage?: (error: unknown) => void;
  onError?: (job: string, error: unknown) => void;
  /** After each piece of background work (check, backup, sweep, export), done or failed. */
  afterJob?: () => void;
}

/** How often the schedule looks whether a sync export or a backup is due. */
const SYNC_CHECK_MS = 60_000;

export class Scheduler {
  private midnight: Cron | null = null;
  private syncTimer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private exporting = false;
  private midnightZone: string | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly dataDir: string,
    private readonly events: SchedulerEvents = {},
  ) {}

  /**
   * Start-up's own work, run after the list answers (each step shown as background work on `startup`):
   * the integrity check, then the daily backup and the sweep, then the schedule. Damage stops it all.
   * Resolves false when the check found damage.
   */
  async start(startup?: StartupReporter, check?: () => Promise<void>): Promise<boolean> {
    if (check && !this.stopped) {
      startup?.working('check');
      const damage = await this.queue(() =>
        check().then(
          () => null,
          (err: unknown) => err ?? new Error('The check failed.'),
        ),
      );
      if (damage) {
        this.stopped = true;
        this.events.onDamage?.(damage);
        return false;
      }
    }
    if (!this.stopped) {
      startup?.working('backup');
      await this.backupIfDue();
    }
    if (!this.stopped) {
      startup?.working('sweep');
      await this.sweepNow(startup ? (done, total) => startup.progress(done, total) : undefined);
    }
    startup?.working(null);
    if (this.stopped) return true;
    await this.rescheduleMidnight();
    // An export overdue at start-up runs now; then the schedule is checked every minute.
    void this.exportIfDue('startup');
    this.syncTimer = setInterval(() => {
      void this.exportIfDue('schedule');
      void this.backupIfDue();
    }, SYNC_CHECK_MS);
    this.syncTimer.unref();
    return true;
  }

  /** Sets the after-midnight sweep to the office time zone as stored now; called at start and whenever the zone is saved. */
  async rescheduleMidnight(): Promise<void> {
    const { timeZone } = await readSettings(this.ctx.db);
    if (this.midnight && this.midnightZone === timeZone) return;
    this.midnight?.stop();
    this.midnightZone = timeZone;
    this.midnight = new Cron('5 0 0 * * *', { timezone: timeZone, protect: true }, () => void this.sweepNow());
  }

  /** When the next after-midnight sweep runs (null when stopped). */
  nextSweepAt(): Date | null {
    return this.midnight?.nextRun() ?? null;
  }

  /** The daily backup, taken in the queue so it never runs beside a sweep or an export. */
  backupIfDue(): Promise<string | null> {
    return this.queue(async () => {
      try {
        return await takeBackupIfDue(this.ctx.db, this.dataDir, this.ctx.clock.now());
      } catch (err) {
        this.events.onError?.('daily backup', err);
        return null;
      }
    });
  }

  /** Runs `work` after whatever is running, so jobs never interleave. */
  private queue<T>(work: () => Promise<T>): Promise<T> {
    const job = this.running.then(work, work).finally(() => this.events.afterJob?.());
    this.running = job.catch(() => undefined);
    return job;
  }

  sweepNow(onProgress?: SweepProgress): Promise<SweepResult | null> {
    return this.queue(async () => {
      try {
        const result = await runSweep(this.ctx, undefined, undefined, onProgress);
        this.events.onSweep?.(result);
        return result;
      } catch (err) {
        this.events.onError?.('sweep', err);
        return null;
      }
    });
  }

  get isExporting(): boolean {
    return this.exporting;
  }

  /** "Export now" and the schedule both come here; the export itself also holds a lock file. */
  exportNow(trigger: string, job?: JobProgress): Promise<ExportResult> {
    return this.queue(async () => {
      this.exporting = true;
      try {
        return await exportChanges({ db: this.ctx.db, dataDir: this.dataDir, job, trigger, now: () => this.ctx.clock.now() });
      } finally {
        this.exporting = false;
      }
    });
  }

  private async exportIfDue(trigger: string): Promise<void> {
    try {
      const { syncEveryMinutes, syncFolder } = await readSettings(this.ctx.db);
      if (syncEveryMinutes === 0 || syncFolder === '' || this.exporting) return;
      const last = listSyncRuns(this.dataDir, 1)[0];
      const dueAt = last ? Date.parse(last.startedAt) + syncEveryMinutes * 60_000 : 0;
      if (this.ctx.clock.now().getTime() >= dueAt) await this.exportNow(trigger);
    } catch (err) {
      // Logged in the run history by the export itself; retried when next due.
      this.events.onError?.('sync export', err);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.midnight?.stop();
    this.midnight = null;
    this.midnightZone = null;
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.syncTimer = null;
    await this.running;
  }
}
