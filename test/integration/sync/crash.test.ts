/**
 * Crash safety of the export (RELIABILITY.md promise 4): a separate process
 * exports and is killed (SIGKILL) at each step of writing a batch. After every
 * kill, each batch under its final name verifies and nothing the checkpoint
 * passed is missing from the folder; the next run exports exactly what was
 * missing, so the folder holds every change 1..max exactly once.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, DATABASE_FILE, openDatabase } from '../../../main/db/database';
import { CRASH_STEPS, exportChanges, type CrashStep } from '../../../main/sync/export';
import { LOCK_FILE } from '../../../main/sync/lock';
import { readCheckpoint } from '../../../main/sync/state';
import { verifyFolder } from '../../../main/sync/verify';
import { freshDb, makeStaff, maxSeq, removeDir, tempDir } from '../support';
import { batchNames, oneToN, randomWorkload, seqsInFolder } from './helpers';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const CHILD = path.join(import.meta.dirname, 'export-child.ts');
const PER_BATCH = 150;

let template: string;
let max: number;
const dirs: string[] = [];

beforeAll(async () => {
  const t = await freshDb();
  const staff = await makeStaff(t.ctx, 'kim', 'Kim Staff');
  await randomWorkload(t, staff, { seed: 42, minChanges: 600 });
  max = await maxSeq(t.db);
  await t.close();
  template = t.dir;
  dirs.push(t.dir);
});
afterAll(() => {
  for (const dir of dirs) removeDir(dir);
});

/** A copy of the populated database in a fresh data folder, and an empty sync folder. */
function scenario(): { dataDir: string; folder: string } {
  const dataDir = tempDir('certdesk-crash-data-');
  const folder = tempDir('certdesk-crash-out-');
  dirs.push(dataDir, folder);
  for (const name of fs.readdirSync(template).filter((n) => n.startsWith(DATABASE_FILE))) fs.copyFileSync(path.join(template, name), path.join(dataDir, name));
  return { dataDir, folder };
}

function runChild(dataDir: string, folder: string, crashAt: string | null): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.CERTDESK_SYNC_CRASH_AT;
    if (crashAt) env.CERTDESK_SYNC_CRASH_AT = crashAt;
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, folder, String(PER_BATCH)], { cwd: ROOT, env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, output }));
  });
}

async function checkpointOf(dataDir: string): Promise<number> {
  const db = await openDatabase({ dataDir });
  try {
    return await readCheckpoint(db);
  } finally {
    await closeDatabase(db);
  }
}

/** What must hold after any kill: final-named batches verify, no seq twice, and the folder holds everything the checkpoint passed. */
async function checkAfterKill(dataDir: string, folder: string, label: string): Promise<{ checkpoint: number; inFolder: number }> {
  const { seqs, problems } = await seqsInFolder(folder);
  expect(problems, label).toEqual([]);
  expect(new Set(seqs).size, label).toBe(seqs.length);
  // Batches are written in order, so the folder holds a prefix 1..k.
  expect(seqs, label).toEqual(oneToN(seqs.length));
  const checkpoint = await checkpointOf(dataDir);
  expect(seqs.length, label).toBeGreaterThanOrEqual(checkpoint);
  return { checkpoint, inFolder: seqs.length };
}

async function checkComplete(folder: string, label: string): Promise<void> {
  const report = await verifyFolder(folder);
  expect(report.problems, label).toEqual([]);
  expect(report.warnings, label).toEqual([]);
  const { seqs } = await seqsInFolder(folder);
  expect(seqs, label).toEqual(oneToN(max));
}

describe('killed at each step of writing a batch', () => {
  it('during the second batch, at every step: the rerun exports exactly what was missing', async () => {
    const cases = CRASH_STEPS.map((step) => ({ step, ...scenario() }));
    const killed = await Promise.all(cases.map((c) => runChild(c.dataDir, c.folder, `${c.step}:2`)));
    for (const [i, c] of cases.entries()) {
      const run = killed[i];
      expect(run?.signal, `${c.step}: ${run?.output ?? ''}`).toBe('SIGKILL');
      const { checkpoint, inFolder } = await checkAfterKill(c.dataDir, c.folder, c.step);
      const expected: Record<CrashStep, { checkpoint: number; inFolder: number; leftover: boolean }> = {
        'after-temp-write': { checkpoint: PER_BATCH, inFolder: PER_BATCH, leftover: true },
        'after-fsync': { checkpoint: PER_BATCH, inFolder: PER_BATCH, leftover: true },
        'after-rename': { checkpoint: PER_BATCH, inFolder: 2 * PER_BATCH, leftover: false },
        'before-checkpoint': { checkpoint: PER_BATCH, inFolder: 2 * PER_BATCH, leftover: false },
        'after-checkpoint': { checkpoint: 2 * PER_BATCH, inFolder: 2 * PER_BATCH, leftover: false },
      };
      expect({ checkpoint, inFolder, leftover: fs.readdirSync(c.folder).some((n) => n.startsWith('.tmp-')) }, c.step).toEqual(expected[c.step]);
      // The killed process's lock file is still there; its process is gone, so it does not block.
      expect(fs.existsSync(path.join(c.dataDir, LOCK_FILE)), c.step).toBe(true);

      const db = await openDatabase({ dataDir: c.dataDir });
      try {
        const rerun = await exportChanges({ db, dataDir: c.dataDir, folder: c.folder, maxChanges: PER_BATCH });
        expect(rerun.fromSeq, c.step).toBe(checkpoint + 1);
        expect(rerun.toSeq, c.step).toBe(max);
        // A batch that reached its final name before the kill is checked and kept, not written again.
        expect(rerun.batches[0]?.alreadyPresent, c.step).toBe(c.step === 'after-rename' || c.step === 'before-checkpoint');
        expect(await readCheckpoint(db), c.step).toBe(max);
        // Every email was exported; a withdrawn one stays withdrawn (it travels, marked, never to be sent).
        const outbox = (await db('outbox').where('state', 'queued').count({ n: '*' }).first()) as { n: number };
        expect(Number(outbox.n), c.step).toBe(0);
      } finally {
        await closeDatabase(db);
      }
      await checkComplete(c.folder, c.step);
    }
  });

  it('one database killed at every step in turn, then exported to the end', async () => {
    const { dataDir, folder } = scenario();
    let previous = { checkpoint: 0, inFolder: 0 };
    for (const step of CRASH_STEPS) {
      const run = await runChild(dataDir, folder, step);
      expect(run.signal, `${step}: ${run.output}`).toBe('SIGKILL');
      const now = await checkAfterKill(dataDir, folder, step);
      // Never backwards, and the folder never loses a batch.
      expect(now.checkpoint).toBeGreaterThanOrEqual(previous.checkpoint);
      expect(now.inFolder).toBeGreaterThanOrEqual(previous.inFolder);
      previous = now;
    }
    const last = await runChild(dataDir, folder, null);
    expect(last.code, last.output).toBe(0);
    expect(JSON.parse(last.output) as unknown).toMatchObject({ toSeq: max });
    await checkComplete(folder, 'final');
    expect(batchNames(folder)).toHaveLength(Math.ceil(max / PER_BATCH));
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
  });
});
