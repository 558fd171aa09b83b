/**
 * The one home of background work in main: the time sweep at start-up and
 * just after midnight in the office's time zone. Runs never overlap, and
 * stop() lets a running job finish.
 */
import { Cron } from 'croner';
import type { ServiceContext } from './context';
import { readSettings } from './settings';
import { runSweep, type SweepResult } from './sweep';

export interface SchedulerEvents {
  onSweep?: (result: SweepResult) => void;
  onError?: (job: string, error: unknown) => void;
}

export class Scheduler {
  private midnight: Cron | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly events: SchedulerEvents = {},
  ) {}

  async start(): Promise<void> {
    await this.sweepNow();
    const { timeZone } = await readSettings(this.ctx.db);
    this.midnight = new Cron('5 0 0 * * *', { timezone: timeZone, protect: true }, () => void this.sweepNow());
  }

  /** Queued behind any running job, so two sweeps never interleave. */
  sweepNow(): Promise<SweepResult | null> {
    const job = this.running.then(async () => {
      try {
        const result = await runSweep(this.ctx);
        this.events.onSweep?.(result);
        return result;
      } catch (err) {
        this.events.onError?.('sweep', err);
        return null;
      }
    });
    this.running = job;
    return job;
  }

  async stop(): Promise<void> {
    this.midnight?.stop();
    this.midnight = null;
    await this.running;
  }
}
