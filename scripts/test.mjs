#!/usr/bin/env node
/**
 * The whole test command (`npm test`): type check, lint, build, then every
 * vitest suite (unit, integration, shell wiring, Chromium end to end, Electron
 * end to end where a binary exists). Ends with one line: `N passed, N failed`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
let passed = 0;
let failed = 0;
const summary = [];

function step(name, command, args) {
  process.stdout.write(`\n── ${name} ──\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  const ok = result.status === 0;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  summary.push(`${ok ? 'ok  ' : 'FAIL'} ${name} (${seconds} s)`);
  return ok;
}

for (const [name, command, args] of [
  ['type check', bin('tsc'), ['--noEmit', '-p', '.']],
  ['lint', bin('eslint'), ['--max-warnings', '0', '.']],
  ['format (prettier --check; `npx prettier --write .` fixes it)', bin('prettier'), ['--check', '--log-level', 'warn', '.']],
  ['build (electron-vite: main, preload, renderer; browser harness renderer)', 'npm', ['run', '--silent', 'build']],
]) {
  if (step(name, command, args)) passed++;
  else failed++;
}

const report = path.join(root, 'test-results', 'vitest.json');
fs.mkdirSync(path.dirname(report), { recursive: true });
fs.rmSync(report, { force: true });
step('tests (vitest)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
if (fs.existsSync(report)) {
  const results = JSON.parse(fs.readFileSync(report, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  // A suite that failed outside its tests (an import error, a beforeAll that timed out) counts as one
  // failure: its tests show as skipped, or not at all.
  const brokenSuites = results.testResults.filter((s) => s.status === 'failed' && !s.assertionResults.some((a) => a.status === 'failed'));
  failed += brokenSuites.length;
  const skipped = results.numPendingTests + results.numTodoTests;
  summary.push(`     ${results.numPassedTests} tests passed, ${results.numFailedTests} failed, ${skipped} skipped`);
  for (const suite of brokenSuites) {
    const why = (suite.message ?? '').split('\n')[0] || 'see "Failed Suites" above';
    summary.push(`FAIL ${path.relative(root, suite.name)}: the suite failed outside its tests (${why})`);
  }
  for (const suite of results.testResults) {
    if (brokenSuites.includes(suite)) continue;
    const skippedHere = suite.assertionResults.filter((a) => a.status === 'skipped' || a.status === 'pending').length;
    if (skippedHere > 0) summary.push(`     skipped: ${path.relative(root, suite.name)} (${skippedHere} tests; see the SKIPPED line above for why)`);
  }
} else {
  failed++;
  summary.push('FAIL vitest wrote no report');
}

process.stdout.write(`\n── summary ──\n${summary.join('\n')}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
