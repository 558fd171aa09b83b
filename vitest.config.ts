import { defineConfig } from 'vitest/config';

/** The suites that drive a browser or an app window: Chromium (or Electron) and its harness take both cores. */
const BROWSER_SUITES = ['test/e2e/**/*.test.ts', 'test/electron/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits on a page or a job; 1 s (vitest's default) is too short on a busy two-core machine.
    expect: { poll: { timeout: 10_000 } },
    reporters: ['default'],
    projects: [
      {
        extends: true,
        // Unit, integration, reliability and shell suites: each file has its own temp folders and databases,
        // so two files run at a time (one per core), before the browser suites start.
        test: { name: 'node', include: ['test/**/*.test.ts'], exclude: BROWSER_SUITES, maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        // One browser suite at a time, after the node suites: Chromium shares two cores with its harness, and
        // the timings these suites wait on stay sane.
        test: { name: 'browser', include: BROWSER_SUITES, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
