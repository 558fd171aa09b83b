import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests share two cores with Chromium; one file at a time keeps timings sane.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits on a page or a job; 1 s (vitest's default) is too short on a busy two-core machine.
    expect: { poll: { timeout: 10_000 } },
    reporters: ['default'],
  },
});
