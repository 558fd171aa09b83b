/** What start-up is doing, as the start-up screen shows it (main/startup.ts reports it). */
/** The phases in order, each in the words the start-up screen shows. */
export const STARTUP_PHASES = {
  database: 'Opening the database',
  check: 'Checking the database',
  backup: 'Taking the daily backup',
  sweep: 'Bringing statuses up to date',
  demo: 'Loading demo data',
} as const;

export type StartupStep = keyof typeof STARTUP_PHASES;

/** What kind of problem stopped start-up: only a damaged file offers a backup. */
/** `program`: CertDesk's own files could not be loaded (a broken install); the data was never opened. */
export type RefusalKind = 'damaged' | 'access' | 'in-use' | 'disk-full' | 'program' | 'other';

export interface RefusedDatabase {
  /** Why, in a sentence staff can read. */
  message: string;
  kind: RefusalKind;
  /** Where the refused file was left untouched. */
  dataDir: string;
  /** File name of the newest good backup, or null when there is none. */
  newestBackup: string | null;
}

export interface StartupStatus {
  phase: StartupStep | 'starting' | 'ready' | 'refused';
  message: string;
  /** Every step of this start, in words, in order (the screen lists them). */
  plan: string[];
  /** 1-based number of the current step, of `steps`. */
  step: number;
  steps: number;
  /** Progress inside the step (records swept, …) when it is known. */
  done: number | null;
  total: number | null;
  refused: RefusedDatabase | null;
  /** Start-up work that runs after the list answers (check, daily backup, sweep), or null when none runs. */
  background: BackgroundWork | null;
}

export interface BackgroundWork {
  step: StartupStep;
  message: string;
  done: number | null;
  total: number | null;
}
