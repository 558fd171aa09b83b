/**
 * The one home of background work in main: the time sweep at start-up and
 * just after midnight in the office's time zone. Runs never overlap, and
 * stop() lets a running job finish.
 */
import { Cron } from 'croner';
import { exportChanges, type ExportResult } from './sync/export';
import { listSyncRuns } from './sync/runs';
import type { ServiceContext } from './services/context';
import type { JobProgress } from './domain/progress';
import { readSettings } from './services/settings';
import { runSweep, type SweepProgress, type SweepResult } from './services/sweep';

export interface SchedulerEvents {
  onSweep?: (result: SweepResult) => void;
  onError?: (job: string, error: unknown) => void;
}

/** How often the schedule looks whether a sync export is due. */
const SYNC_CHECK_MS = 60_000;

export class Scheduler {
  private midnight: Cron | null = null;
  private syncTimer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private exporting = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly dataDir: string,
    private readonly events: SchedulerEvents = {},
  ) {}

  /** Sweeps first (reporting its progress to the start-up screen), then keeps the schedule. */
  async start(onSweepProgress?: SweepProgress): Promise<void> {
    await this.sweepNow(onSweepProgress);
    const { timeZone } = await readSettings(this.ctx.db);
    this.midnight = new Cron('5 0 0 * * *', { timezone: timeZone, protect: true }, () => void this.sweepNow());
    // An export overdue at start-up runs now; then the schedule is checked every minute.
    void this.exportIfDue('startup');
    this.syncTimer = setInterval(() => void this.exportIfDue('schedule'), SYNC_CHECK_MS);
    this.syncTimer.unref();
  }

  /** Runs `work` after whatever is running, so jobs never interleave. */
  private queue<T>(work: () => Promise<T>): Promise<T> {
    const job = this.running.then(work, work);
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
    this.midnight?.stop();
    this.midnight = null;
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.syncTimer = null;
    await this.running;
  }
}
