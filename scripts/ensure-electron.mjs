#!/usr/bin/env node
/**
 * Makes sure Electron's binary is there before `npm start` / `npm run dev`.
 *
 * Electron 45's npm package no longer downloads its binary during `npm install`;
 * `require('electron')` does so on first use, but electron-vite reads
 * node_modules/electron/path.txt itself and stops with "Electron uninstall"
 * (electron-vite issue #904). So we run Electron's own installer
 * (node_modules/electron/install.js): it returns at once when the binary for this
 * version and platform is already there, otherwise downloads it (cached in
 * ~/.cache/electron) and writes path.txt.
 *
 *   node scripts/ensure-electron.mjs            (postinstall) never fails the install:
 *                                               where the binary cannot be fetched it
 *                                               says so in one line and exits 0;
 *                                               ELECTRON_SKIP_BINARY_DOWNLOAD=1 skips it.
 *   node scripts/ensure-electron.mjs --start    (prestart, predev) the app cannot open
 *                                               without it: one line, exit 1.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const forStart = process.argv.includes('--start');
const say = (line) => process.stderr.write(`${line}\n`);

let electronDir;
try {
  electronDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
} catch {
  say('Electron binary: the electron package is not installed (run npm install first).');
  process.exit(forStart ? 1 : 0);
}

/** Installed means what install.js checks: path.txt names a file that exists for this version. */
function installed() {
  try {
    const version = JSON.parse(fs.readFileSync(path.join(electronDir, 'package.json'), 'utf8')).version;
    const distVersion = fs.readFileSync(path.join(electronDir, 'dist', 'version'), 'utf8').replace(/^v/, '').trim();
    const exe = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8');
    return distVersion === version && fs.existsSync(path.join(electronDir, 'dist', exe));
  } catch {
    return false;
  }
}

const skip = process.env['ELECTRON_SKIP_BINARY_DOWNLOAD'];
if (installed()) process.exit(0);
if (!forStart && skip && skip !== '0' && skip !== 'false') {
  say('Electron binary: not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD is set); `npm start` will fetch it when it is first needed.');
  process.exit(0);
}

const result = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
  stdio: ['ignore', 'inherit', 'pipe'],
  encoding: 'utf8',
  timeout: 15 * 60_000,
});
if (result.status === 0 && installed()) {
  say('Electron binary: downloaded.');
  process.exit(0);
}

// install.js prints a whole stack; the first line with "Error" says what went wrong.
const output = `${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
const reason =
  output
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /error/i.test(l)) ?? (result.signal ? `stopped by ${result.signal}` : `exit code ${result.status}`);
say(
  `Electron binary: could not be downloaded (${reason.slice(0, 200)}). ` +
    (forStart
      ? 'CertDesk cannot open without it: connect to the internet (or set ELECTRON_MIRROR) and run npm start again.'
      : 'Install finished without it; `npm start` will try again (tests that need Electron skip).'),
);
process.exit(forStart ? 1 : 0);
