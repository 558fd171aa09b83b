/**
 * Starts the real browser harness (`main/web/cli.ts`, what `npm run web` runs)
 * on a fresh data folder and a free port, and real Debian Chromium to drive it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildBundledHarness } from './bundled-harness';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

export interface Harness {
  url: string;
  dataDir: string;
  output: () => string;
  /** The demo passwords the harness printed, by user name. */
  passwords: Record<string, string>;
  stop: () => Promise<void>;
  /** Ends the harness at once (SIGKILL), as a crash or power cut would: for throwaway folders (the benchmark's launches). */
  kill: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * `listening`: returns as soon as the page is served (it shows the start-up screen);
 * by default, once the backend is ready and calls are answered.
 */
export async function startHarness(
  options: {
    demo?: boolean;
    as?: 'admin' | 'staff';
    dataDir?: string;
    now?: Date;
    until?: 'listening' | 'ready';
    /** Run the harness bundled like the app's main (the benchmark's launches), not through tsx. */
    bundled?: boolean;
  } = {},
): Promise<Harness> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-e2e-'));
  const port = await freePort();
  const entry = options.bundled ? [await buildBundledHarness()] : ['--import', 'tsx', 'main/web/cli.ts'];
  const args = [...entry, '--data', dataDir, '--port', String(port), '--test-password-cost'];
  if (options.demo) args.push('--demo');
  if (options.as) args.push('--as', options.as);
  if (options.now) args.push('--now', options.now.toISOString());
  const child: ChildProcess = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`harness did not start:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = options.until === 'listening' ? /Starting at (http:\/\/127\.0\.0\.1:\d+)/ : /CertDesk web harness: (http:\/\/127\.0\.0\.1:\d+)/;
      const match = line.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`harness exited with ${code}:\n${output}`));
    });
  });
  const passwords: Record<string, string> = {};
  for (const m of output.matchAll(/(admin|staff) \/ (\S+)/g)) if (m[1] && m[2]) passwords[m[1]] = m[2];
  return {
    url,
    dataDir,
    passwords,
    output: () => output,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** POSTs one call to the harness, as the renderer's transport does. */
export async function apiCall<T>(harness: Harness, name: string, input: unknown): Promise<T> {
  const response = await fetch(`${harness.url}/api/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const envelope = (await response.json()) as { ok: boolean; value?: T; error?: { message: string } };
  if (!envelope.ok) throw new Error(`${name} refused: ${envelope.error?.message ?? 'unknown'}`);
  return envelope.value as T;
}

/**
 * Waits until start-up's background work (check, daily backup, sweep) has finished: it starts once the
 * first screen is drawn, so a test that writes into the database file behind the app's back does it after
 * the sweep, which would otherwise re-derive what the test wrote.
 */
export async function backgroundSettled(harness: Harness, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = await apiCall<{ phase: string; background: unknown }>(harness, 'startup.status', {});
    if (status.phase === 'ready' && status.background === null) return;
    if (Date.now() > until) throw new Error(`start-up's background work still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const SCREENSHOT_DIR = path.join(PROJECT_ROOT, 'test-results', 'screenshots');

export interface BrowserSession {
  harness: Harness;
  browser: Browser;
  page: Page;
  close: () => Promise<void>;
}

/** A harness with demo data, signed in, and one Chromium page on it (the usual e2e fixture). */
export async function startBrowserSession(options: { as?: 'admin' | 'staff'; timeout?: number } = {}): Promise<BrowserSession> {
  const harness = await startHarness({ demo: true, as: options.as ?? 'admin' });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(options.timeout ?? 10_000);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    harness,
    browser,
    page,
    close: async () => {
      await browser.close();
      await harness.stop();
    },
  };
}
