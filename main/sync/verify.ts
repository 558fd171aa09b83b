/**
 * The verifier: checks batches against their manifests (files present, sizes,
 * SHA-256, the manifest's own checksum, line counts, seq ranges) and a folder
 * of batches for gaps and overlaps, and says exactly what is wrong where.
 * The export (before skipping a batch already there) and the receiver (before
 * loading one) use the same checks.
 */
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  FORMAT_VERSION,
  MANIFEST_FILE,
  ManifestSchema,
  TEMP_PREFIX,
  batchName,
  entityOfDataFile,
  manifestChecksum,
  parseBatchName,
  parseChangeLine,
  sha256Hex,
  type BatchChange,
  type Manifest,
} from './format';
import { describeTextFault, textFault } from './unstorable';

/** Line-level problems reported per file before the rest are summed up. */
const MAX_LINE_PROBLEMS = 5;

export interface ReadBatch {
  name: string;
  dir: string;
  /** The manifest, when it could be read and has the version-1 shape (even if its checksum is wrong). */
  manifest: Manifest | null;
  /** Every change of the batch in seq order (those that could be read). */
  changes: BatchChange[];
  /** What is wrong; empty when the batch verifies. */
  problems: string[];
}

function describeRanges(seqs: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < seqs.length && parts.length < 5) {
    const start = seqs[i] as number;
    let end = start;
    while (i + 1 < seqs.length && seqs[i + 1] === end + 1) end = seqs[++i] as number;
    parts.push(start === end ? String(start) : `${start}–${end}`);
    i++;
  }
  return parts.join(', ') + (i < seqs.length ? ', …' : '');
}

async function readIfThere(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Reads and checks one batch folder against its manifest. Never throws for a bad batch; only for an unreadable disk. */
export async function readBatch(dir: string): Promise<ReadBatch> {
  const name = path.basename(dir);
  const result: ReadBatch = { name, dir, manifest: null, changes: [], problems: [] };
  const problem = (message: string): void => void result.problems.push(message);

  const fromName = parseBatchName(name);
  if (!fromName) problem(`the folder name is not certdesk-<deviceId>-<fromSeq, 12 digits>-<toSeq, 12 digits>`);

  const manifestRaw = await readIfThere(path.join(dir, MANIFEST_FILE));
  if (manifestRaw === null) {
    problem(`${MANIFEST_FILE} is missing`);
    return result;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(manifestRaw.toString('utf8'));
  } catch {
    problem(`${MANIFEST_FILE} is not valid JSON`);
    return result;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problem(`${MANIFEST_FILE} is not a JSON object`);
    return result;
  }
  const rawObject = raw as Record<string, unknown>;
  if (rawObject.formatVersion !== FORMAT_VERSION) {
    problem(`${MANIFEST_FILE} has formatVersion ${JSON.stringify(rawObject.formatVersion)}; this reader knows version ${FORMAT_VERSION} only`);
    return result;
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues.slice(0, 10)) problem(`${MANIFEST_FILE}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
    return result;
  }
  const manifest = parsed.data;
  result.manifest = manifest;

  const expectedSum = manifestChecksum(rawObject);
  if (expectedSum !== manifest.manifestSha256) {
    problem(
      `${MANIFEST_FILE} does not match its own checksum (manifestSha256 ${manifest.manifestSha256}, content gives ${expectedSum}): it was changed or damaged`,
    );
  }
  if (manifest.fromSeq > manifest.toSeq) problem(`${MANIFEST_FILE} has fromSeq ${manifest.fromSeq} after toSeq ${manifest.toSeq}`);
  if (fromName && batchName(fromName.deviceId, fromName.fromSeq, fromName.toSeq) !== batchName(manifest.deviceId, manifest.fromSeq, manifest.toSeq)) {
    problem(
      `the folder name says device ${fromName.deviceId} seq ${fromName.fromSeq}–${fromName.toSeq}, the manifest says device ${manifest.deviceId} seq ${manifest.fromSeq}–${manifest.toSeq}`,
    );
  }
  const total = Object.values(manifest.counts).reduce((a, b) => a + b, 0);
  const span = manifest.toSeq - manifest.fromSeq + 1;
  if (total !== span) problem(`${MANIFEST_FILE} counts add up to ${total} changes, but seq ${manifest.fromSeq}–${manifest.toSeq} is ${span}`);

  const listed = new Set<string>();
  for (const f of manifest.files) {
    if (listed.has(f.name)) problem(`${MANIFEST_FILE} lists ${f.name} twice`);
    listed.add(f.name);
  }
  for (const [entity, count] of Object.entries(manifest.counts)) {
    if (count > 0 && !listed.has(`changes-${entity}.jsonl`)) problem(`${MANIFEST_FILE} counts ${count} ${entity} changes but lists no changes-${entity}.jsonl`);
  }
  let entries: string[] = [];
  try {
    entries = await fs.readdir(dir);
  } catch (err) {
    problem(`the batch folder cannot be read: ${(err as Error).message}`);
  }
  for (const entry of entries.sort()) {
    if (entry !== MANIFEST_FILE && !listed.has(entry)) problem(`${entry} is not listed in the manifest`);
  }

  const seen = new Map<number, string>();
  const duplicates: string[] = [];
  for (const f of manifest.files) {
    const entity = entityOfDataFile(f.name) ?? '';
    const expectedLines = manifest.counts[entity];
    if (expectedLines === undefined || expectedLines === 0) problem(`${f.name} is listed but the manifest counts no ${entity} changes`);
    const bytes = await readIfThere(path.join(dir, f.name));
    if (bytes === null) {
      problem(`${f.name} is missing`);
      continue;
    }
    if (bytes.length !== f.bytes) problem(`${f.name} is ${bytes.length} bytes, the manifest says ${f.bytes}`);
    const sum = sha256Hex(bytes);
    if (sum !== f.sha256) problem(`${f.name} does not match its SHA-256 in the manifest (it was changed or damaged)`);

    const text = bytes.toString('utf8');
    if (text.length > 0 && !text.endsWith('\n')) problem(`${f.name} does not end with a newline (cut short?)`);
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (expectedLines !== undefined && lines.length !== expectedLines)
      problem(`${f.name} has ${lines.length} lines, the manifest counts ${expectedLines} ${entity} changes`);

    let lineProblems = 0;
    const lineProblem = (message: string): void => {
      lineProblems++;
      if (lineProblems <= MAX_LINE_PROBLEMS) problem(message);
    };
    let previous = 0;
    lines.forEach((line, i) => {
      const where = `${f.name} line ${i + 1}`;
      const read = parseChangeLine(line);
      if ('error' in read) return lineProblem(`${where} ${read.error}`);
      const c = read.change;
      if (c.entity !== entity) lineProblem(`${where} is a ${c.entity} change in the ${entity} file`);
      if (c.seq <= previous) lineProblem(`${where} has seq ${c.seq} after ${previous} (lines must ascend)`);
      previous = Math.max(previous, c.seq);
      if (c.seq < manifest.fromSeq || c.seq > manifest.toSeq)
        lineProblem(`${where} has seq ${c.seq}, outside the batch's ${manifest.fromSeq}–${manifest.toSeq}`);
      const other = seen.get(c.seq);
      if (other !== undefined) {
        if (duplicates.length < MAX_LINE_PROBLEMS) duplicates.push(`seq ${c.seq} appears twice (${other} and ${where})`);
        return;
      }
      seen.set(c.seq, where);
      result.changes.push(c);
    });
    if (lineProblems > MAX_LINE_PROBLEMS) problem(`${f.name}: ${lineProblems - MAX_LINE_PROBLEMS} more line problems not shown`);
  }
  result.problems.push(...duplicates);
  const missing: number[] = [];
  for (let seq = manifest.fromSeq; seq <= manifest.toSeq && missing.length < 10_000; seq++) if (!seen.has(seq)) missing.push(seq);
  if (missing.length > 0 && manifest.fromSeq <= manifest.toSeq) problem(`no line holds seq ${describeRanges(missing)}`);
  result.changes.sort((a, b) => a.seq - b.seq);
  return result;
}

export interface VerifyProblem {
  /** The batch folder's name, or null for the folder as a whole. */
  batch: string | null;
  message: string;
}

export interface VerifiedBatch {
  name: string;
  deviceId: string | null;
  fromSeq: number | null;
  toSeq: number | null;
  changes: number;
  ok: boolean;
}

export interface VerifyReport {
  folder: string;
  ok: boolean;
  batches: VerifiedBatch[];
  problems: VerifyProblem[];
  /** Not wrong, worth knowing: leftovers of interrupted exports, unknown entries, where a device's batches start. */
  warnings: VerifyProblem[];
}

/** Checks every batch in `folder`, and that each device's batches follow one another without gap or overlap. */
export async function verifyFolder(
  folder: string,
  options: { onBatch?: (b: VerifiedBatch, index: number, total: number) => void } = {},
): Promise<VerifyReport> {
  const report: VerifyReport = { folder, ok: false, batches: [], problems: [], warnings: [] };
  let entries: Dirent[];
  try {
    entries = await fs.readdir(folder, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    report.problems.push({
      batch: null,
      message:
        code === 'ENOENT'
          ? `${folder} does not exist`
          : code === 'ENOTDIR'
            ? `${folder} is not a folder`
            : `${folder} cannot be read: ${(err as Error).message}`,
    });
    return report;
  }
  const names: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith(TEMP_PREFIX)) {
      report.warnings.push({ batch: entry.name, message: 'left by an interrupted export; ignored (the next export of that device removes it)' });
    } else if (parseBatchName(entry.name) && entry.isDirectory()) {
      names.push(entry.name);
    } else if (entry.name.startsWith('certdesk-')) {
      report.problems.push({ batch: entry.name, message: entry.isDirectory() ? 'is not a batch name' : 'has a batch name but is not a folder' });
    } else {
      report.warnings.push({ batch: entry.name, message: 'is not a batch; ignored' });
    }
  }

  const read: ReadBatch[] = [];
  for (const [i, name] of names.entries()) {
    const batch = await readBatch(path.join(folder, name));
    read.push(batch);
    for (const message of batch.problems) report.problems.push({ batch: name, message });
    // Not a damaged batch: values written before the text rule. The receiver holds these changes back; the rest loads.
    const faults = batch.changes.flatMap((c) => {
      const fault = textFault(c);
      return fault ? [describeTextFault(c, fault)] : [];
    });
    for (const message of faults.slice(0, MAX_LINE_PROBLEMS)) report.warnings.push({ batch: name, message });
    if (faults.length > MAX_LINE_PROBLEMS)
      report.warnings.push({ batch: name, message: `${faults.length - MAX_LINE_PROBLEMS} more changes with control characters not shown` });
    const m = batch.manifest;
    const summary: VerifiedBatch = {
      name,
      deviceId: m?.deviceId ?? null,
      fromSeq: m?.fromSeq ?? null,
      toSeq: m?.toSeq ?? null,
      changes: batch.changes.length,
      ok: batch.problems.length === 0,
    };
    report.batches.push(summary);
    options.onBatch?.(summary, i, names.length);
  }

  const byDevice = new Map<string, Manifest[]>();
  for (const b of read) {
    if (!b.manifest) continue;
    const list = byDevice.get(b.manifest.deviceId) ?? [];
    list.push(b.manifest);
    byDevice.set(b.manifest.deviceId, list);
  }
  for (const [deviceId, manifests] of byDevice) {
    manifests.sort((a, b) => a.fromSeq - b.fromSeq || a.toSeq - b.toSeq);
    const first = manifests[0];
    if (first && first.fromSeq !== 1) {
      report.warnings.push({
        batch: null,
        message: `device ${deviceId}: the earliest batch here starts at seq ${first.fromSeq}; batches before it are not in this folder`,
      });
    }
    for (let i = 1; i < manifests.length; i++) {
      const prev = manifests[i - 1] as Manifest;
      const cur = manifests[i] as Manifest;
      const prevName = batchName(prev.deviceId, prev.fromSeq, prev.toSeq);
      const curName = batchName(cur.deviceId, cur.fromSeq, cur.toSeq);
      if (cur.fromSeq <= prev.toSeq) {
        report.problems.push({ batch: curName, message: `overlaps ${prevName}: seq ${cur.fromSeq}–${Math.min(prev.toSeq, cur.toSeq)} is in both` });
      } else if (cur.fromSeq > prev.toSeq + 1) {
        report.problems.push({ batch: curName, message: `gap: seq ${prev.toSeq + 1}–${cur.fromSeq - 1} is in no batch (between ${prevName} and this one)` });
      }
    }
  }
  report.ok = report.problems.length === 0;
  return report;
}
