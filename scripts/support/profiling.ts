/** What the profiling scripts share: SQL time per statement, and the list page the bench's browse loops ask for. */
import type { Knex } from 'knex';
import type { Backend } from '../../main/backend';

export type SqlTimes = Map<string, { ms: number; n: number }>;

/** With SQL_TIMES set, sums each statement's time (by its first `width` characters) while the scripts run. */
export function timeSql(db: Knex, width = 140): SqlTimes {
  const times: SqlTimes = new Map();
  if (!process.env.SQL_TIMES) return times;
  const started = new Map<string, number>();
  db.on('query', (q: { __knexQueryUid: string }) => started.set(q.__knexQueryUid, performance.now()));
  db.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string }) => {
    const key = q.sql.replace(/\s+/g, ' ').slice(0, width);
    const e = times.get(key) ?? { ms: 0, n: 0 };
    e.ms += performance.now() - (started.get(q.__knexQueryUid) ?? performance.now());
    e.n++;
    times.set(key, e);
  });
  return times;
}

/** The i-th list call of a browse loop: All by name, pages 1–100 in turn. */
export function browsePage(i: number) {
  return {
    quick: { kind: 'all' as const },
    filter: null,
    search: '',
    sort: { column: 'contactName' as const, direction: 'asc' as const },
    page: 1 + (i % 100),
    pageSize: 50,
  };
}

/** Pages the Tracking list on, one call after the other, until stopped: what staff feel beside a job. `calls` fills as it goes. */
export function browseList(backend: Pick<Backend, 'invoke'>, enabled = true): { calls: number[]; stop: () => Promise<void> } {
  const calls: number[] = [];
  let running = enabled;
  const done = (async () => {
    for (let i = 0; running; i++) {
      const t0 = performance.now();
      const envelope = await backend.invoke('tracking.list', browsePage(i));
      if (!envelope.ok) throw new Error(`tracking.list failed: ${envelope.error.message}`);
      calls.push(performance.now() - t0);
    }
  })();
  return {
    calls,
    stop: async () => {
      running = false;
      await done;
    },
  };
}
