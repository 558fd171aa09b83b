/**
 * Where a launch's time goes (issue 17), as the bench's launch rows measure it: the bundled harness
 * started on a data folder (use a COPY of a bench database: it migrates and sweeps it), until the
 * first record row is visible in real Chromium. Per run it prints, in ms since the process started:
 * the harness's own lines (listening, ready), the page's navigation start, the `app.firstScreen`
 * call (sent / answered, from Resource Timing), the first row in the DOM and visible, and the
 * renderer main thread's CPU (CDP Performance metrics).
 *
 * Usage: npx tsx scripts/profile-launch.ts DATA_DIR [--runs=N] [--days-later=D]
 */
import path from 'node:path';
import { firstRowVisible } from './bench-browser';
import { BENCH_NOW } from './bench-clock';
import { launchChromium, startHarness } from '../test/support/harness';

const dataDir = path.resolve(process.argv[2] ?? '');
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const runs = Number(option('runs') ?? 3);
const now = new Date(BENCH_NOW.getTime() + Number(option('days-later') ?? 0) * 86_400_000);

async function main(): Promise<void> {
  const browser = await launchChromium();
  try {
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const start = performance.now();
      const harness = await startHarness({ dataDir, as: 'admin', now, until: 'listening', bundled: true });
      const listening = performance.now() - start;
      try {
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send('Performance.enable');
        const navigated = performance.now() - start;
        await page.goto(`${harness.url}/#tracking`);
        await firstRowVisible(page, 120_000);
        const visible = performance.now() - start;
        const call = await page.evaluate(() => {
          const e = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((r) => r.name.includes('app.firstScreen'));
          const scripts = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
            .filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'))
            .map((r) => `${r.name.split('/').pop()} ${Math.round(r.startTime)}–${Math.round(r.responseEnd)}`);
          return { sent: e ? Math.round(e.startTime) : null, answered: e ? Math.round(e.responseEnd) : null, scripts };
        });
        const metrics = (await cdp.send('Performance.getMetrics')).metrics;
        const metric = (name: string) => Math.round((metrics.find((m) => m.name === name)?.value ?? 0) * 1000);
        const ready = /CertDesk web harness/.exec(harness.output()) ? 'ready seen' : 'ready not yet';
        console.log(
          `run ${run + 1}: listening ${Math.round(listening)} · page opened ${Math.round(navigated)} · firstScreen sent +${call.sent} answered +${call.answered} (after navigation) · ` +
            `first row visible ${Math.round(visible)} ms · renderer CPU ${metric('TaskDuration')} (script ${metric('ScriptDuration')}, layout ${metric('LayoutDuration')}, style ${metric('RecalcStyleDuration')}) · ${ready}`,
        );
        console.log(`   scripts: ${call.scripts.join(', ')}`);
      } finally {
        await context.close();
        await harness.kill();
      }
    }
  } finally {
    await browser.close();
  }
}

await main();
