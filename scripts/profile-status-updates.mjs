/**
 * What a status change costs in index upkeep (issue #17, the catch-up sweep), in raw SQL: 50,000
 * records Active → Expired (+ updated_at) in transactions of PASS records, as the sweep's passes
 * write them, with the writer's pragmas (main/db/database.ts). Prints main-process CPU (SQLite runs
 * in the process's thread pool), wall time and the WAL frames (pages) the passes wrote.
 * Results and what they mean: docs/sweep-index-upkeep.md.
 *
 * Usage (on a COPY of a bench database; each run changes it):
 *   node scripts/profile-status-updates.mjs FILE run [N]   time 50,000 changes (records with id % 3 = N, 0..2, so three runs on one copy pick different records)
 *   node scripts/profile-status-updates.mjs FILE group     rebuild the per-status sort indexes as "list group" indexes (timed statuses share one group)
 *   node scripts/profile-status-updates.mjs FILE drop      drop the per-status sort indexes (the floor: what the rest of the schema costs)
 *   node scripts/profile-status-updates.mjs FILE sorts     time Active / Expiring / Expired pages 1 and 100 on the list-group indexes
 * Environment: PASS (records per transaction, default 5000), CACHE (cache_size, default -65536).
 */
import sqlite3 from 'sqlite3';

const [, , file, action, mod = '0'] = process.argv;
const PASS = Number(process.env.PASS ?? 5000);
const CACHE = Number(process.env.CACHE ?? -65536);
const db = new sqlite3.Database(file);
const run = (sql, p = []) => new Promise((resolve, reject) => db.run(sql, p, (e) => (e ? reject(e) : resolve())));
const all = (sql, p = []) => new Promise((resolve, reject) => db.all(sql, p, (e, rows) => (e ? reject(e) : resolve(rows))));

const GROUP = "CASE WHEN status IN ('Active', 'Expiring', 'Expired') THEN 'timed' ELSE status END";
/** Each per-status sort index (migrations 006, 010, 019) and its list-group form: the id before the status, so a walk of one group is in list order. */
const PER_STATUS = {
  records_status_name: 'records (list_group, sort_name, id, status)',
  records_status_progress: 'records (list_group, required_done, id, status)',
  records_status_updated: 'records (list_group, updated_at, id, status)',
  records_status_applied_order: 'records (list_group, applied_on IS NULL, applied_on, id, status)',
  records_status_started_order: 'records (list_group, started_on IS NULL, started_on, id, status)',
  records_status_completed_order: 'records (list_group, completed_on IS NULL, completed_on, id, status)',
  records_status_credits_needed_order: 'records (list_group, credits_needed IS NULL, credits_needed, id, status)',
  records_status_expires_cover: 'records (list_group, expires_on IS NULL, expires_on, id, status, program_id, credits_on_track_until, sort_name)',
  record_sort_keys_status_email: 'record_sort_keys (list_group, email, record_id, status)',
  record_sort_keys_status_certification: 'record_sort_keys (list_group, certification, record_id, status)',
};
const SORTS = { name: 'sort_name', progress: 'required_done', applied: 'applied_on', updated: 'updated_at', expires: 'expires_on' };

async function timeChanges() {
  const ids = (await all(`SELECT id FROM records WHERE status = 'Active' AND id % 3 = ? ORDER BY id LIMIT 50000`, [Number(mod)])).map((r) => r.id);
  const at = new Date().toISOString();
  await run('PRAGMA wal_checkpoint(TRUNCATE)');
  let frames = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < ids.length; i += PASS) {
    await run('BEGIN IMMEDIATE');
    await run(`UPDATE records SET status = 'Expired', updated_at = ? FROM json_each(?) AS j WHERE records.id = j.value`, [
      at,
      JSON.stringify(ids.slice(i, i + PASS)),
    ]);
    await run('COMMIT');
    // Checkpointed after each pass (as the automatic checkpoint would), counting the pages the pass wrote.
    frames += (await all('PRAGMA wal_checkpoint(PASSIVE)'))[0].log;
    await run('PRAGMA wal_checkpoint(TRUNCATE)');
  }
  const cpu = process.cpuUsage(cpu0);
  const s = (us) => (us / 1e6).toFixed(2);
  console.log(
    `${ids.length} changes in passes of ${PASS} (cache_size ${CACHE}): CPU ${s(cpu.user + cpu.system)} s (user ${s(cpu.user)}, system ${s(cpu.system)}), wall ${((performance.now() - t0) / 1000).toFixed(2)} s, WAL pages ${frames}`,
  );
}

async function timeSorts() {
  for (const status of ['Active', 'Expiring', 'Expired']) {
    for (const [label, column] of Object.entries(SORTS)) {
      const empties = ['applied_on', 'expires_on'].includes(column) ? `${column} IS NULL, ` : '';
      for (const offset of [0, 4950]) {
        const sql = `SELECT id, (SELECT sum(n) FROM record_counts WHERE status = ?1) AS total FROM records
          WHERE list_group = 'timed' AND status = ?1 ORDER BY ${empties}${column}, id LIMIT 50 OFFSET ${offset}`;
        await all(sql, [status]);
        let best = Infinity;
        for (let i = 0; i < 3; i++) {
          const t0 = performance.now();
          await all(sql, [status]);
          best = Math.min(best, performance.now() - t0);
        }
        const plan = (await all(`EXPLAIN QUERY PLAN ${sql}`, [status])).map((r) => r.detail).join(' | ');
        console.log(`${status.padEnd(8)} ${label.padEnd(8)} page ${offset ? 100 : 1}: ${best.toFixed(1)} ms  ${plan}`);
      }
    }
  }
}

for (const sql of [
  'PRAGMA journal_mode = WAL',
  'PRAGMA synchronous = FULL',
  'PRAGMA foreign_keys = ON',
  `PRAGMA cache_size = ${CACHE}`,
  'PRAGMA wal_autocheckpoint = 0',
])
  await run(sql);
if (action === 'run') await timeChanges();
else if (action === 'sorts') await timeSorts();
else if (action === 'group') {
  await run(`ALTER TABLE records ADD COLUMN list_group TEXT GENERATED ALWAYS AS (${GROUP}) VIRTUAL`);
  await run(`ALTER TABLE record_sort_keys ADD COLUMN list_group TEXT GENERATED ALWAYS AS (${GROUP}) VIRTUAL`);
  for (const [name, on] of Object.entries(PER_STATUS)) {
    await run(`DROP INDEX IF EXISTS ${name}`);
    await run(`CREATE INDEX ${name} ON ${on}`);
  }
  await run('ANALYZE records');
  await run('ANALYZE record_sort_keys');
} else if (action === 'drop') for (const name of Object.keys(PER_STATUS)) await run(`DROP INDEX IF EXISTS ${name}`);
else throw new Error(`Unknown action "${action}": run, group, drop or sorts.`);
db.close();
