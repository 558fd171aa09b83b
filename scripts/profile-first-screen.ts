/**
 * Where the first Tracking screen's time goes (issue 17): the bundled harness on a data folder
 * (use a COPY of a bench database: the harness migrates and sweeps it), real Chromium, one fresh
 * context per run, navigation until the first `[data-record-id]` row is visible. Per run it prints
 * the page's own timeline — each script and stylesheet (from the Resource Timing entries), each
 * call (`/api/...`: start, wait for the answer, end), the first row — plus the renderer's main-thread
 * work from CDP Performance.getMetrics (script, layout, style recalculation), all in ms since navigation.
 * With --cpu-profile=FILE it also writes a CDP CPU profile of the last run (open in Chrome DevTools),
 * and prints the self time of the heaviest functions.
 *
 * Usage: npx tsx scripts/profile-first-screen.ts DATA_DIR [--runs=N] [--cpu-profile=FILE] [--shot=FILE.png]
 */
import fs from 'node:fs';
import path from 'node:path';
import { firstRowVisible } from './bench-browser';
import { BENCH_NOW } from './bench-clock';
import { launchChromium, startHarness } from '../test/support/harness';

const dataDir = path.resolve(process.argv[2] ?? '');
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const runs = Number(option('runs') ?? 4);
const cpuProfile = option('cpu-profile');
const shot = option('shot');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(dataDir, 'certdesk.sqlite'))) throw new Error(`no certdesk.sqlite in ${dataDir}`);
  const harness = await startHarness({ dataDir, as: 'admin', now: BENCH_NOW, bundled: true });
  const browser = await launchChromium();
  try {
    for (let run = 0; run <= runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const last = run === runs;
      if (last && cpuProfile) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      // In the page: when the first row enters the DOM, the next frame after it, and every long task (> 50 ms).
      await page.addInitScript(() => {
        const w = window as unknown as { __fs: { rowInDom?: number; rowFrame?: number; longTasks: string[] } };
        w.__fs = { longTasks: [] };
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) w.__fs.longTasks.push(`${Math.round(e.startTime)}+${Math.round(e.duration)}`);
        }).observe({ type: 'longtask', buffered: true });
        const observer = new MutationObserver(() => {
          if (w.__fs.rowInDom === undefined && document.querySelector('[data-record-id]')) {
            w.__fs.rowInDom = Math.round(performance.now());
            observer.disconnect();
            requestAnimationFrame(() => setTimeout(() => (w.__fs.rowFrame = Math.round(performance.now()))));
          }
        });
        document.addEventListener('DOMContentLoaded', () => observer.observe(document.body, { childList: true, subtree: true }));
      });
      const start = performance.now();
      await page.goto(`${harness.url}/#tracking`);
      // At every frame (as the bench does), so the metrics below hold little beyond the first row.
      await firstRowVisible(page, 60_000);
      const total = performance.now() - start;
      const metrics = (await cdp.send('Performance.getMetrics')).metrics;
      const metric = (name: string) => Math.round((metrics.find((m) => m.name === name)?.value ?? 0) * 1000);
      const timeline = await page.evaluate(() => {
        const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
        const paints = performance.getEntriesByType('paint').map((p) => `${p.name} ${Math.round(p.startTime)}`);
        return {
          html: nav ? `${Math.round(nav.requestStart)}–${Math.round(nav.responseEnd)} (dom ${Math.round(nav.domContentLoadedEventEnd)})` : '?',
          paints,
          resources: entries.map((e) => ({
            name: e.name.replace(/^https?:\/\/[^/]+/, ''),
            start: Math.round(e.startTime),
            wait: Math.round(e.responseStart - e.requestStart),
            end: Math.round(e.responseEnd),
            bytes: e.encodedBodySize,
          })),
          now: Math.round(performance.now()),
          fs: (window as unknown as { __fs: { rowInDom?: number; rowFrame?: number; longTasks: string[] } }).__fs,
        };
      });
      if (run === 0) {
        console.log(`warm-up run: ${Math.round(total)} ms`);
      } else {
        console.log(
          `run ${run}: ${Math.round(total)} ms to first row (page clock ${timeline.now}); html ${timeline.html}; ${timeline.paints.join(', ')}; ` +
            `main thread: script ${metric('ScriptDuration')} ms, layout ${metric('LayoutDuration')} ms, style ${metric('RecalcStyleDuration')} ms, task ${metric('TaskDuration')} ms, main-thread CPU ${metric('ThreadTime')} ms`,
        );
        console.log(
          `   first row in DOM ${timeline.fs.rowInDom}, next frame ${timeline.fs.rowFrame}; long tasks (start+ms): ${timeline.fs.longTasks.join(' ')}`,
        );
        for (const r of timeline.resources)
          console.log(`   ${String(r.start).padStart(5)} → ${String(r.end).padStart(5)}  (server ${r.wait} ms, ${r.bytes} B)  ${r.name}`);
      }
      if (last && shot) await page.screenshot({ path: shot });
      if (last && cpuProfile) {
        const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
        fs.writeFileSync(cpuProfile, JSON.stringify(profile));
        const self = new Map<string, number>();
        const byId = new Map(profile.nodes.map((n) => [n.id, n]));
        profile.samples.forEach((id, i) => {
          const node = byId.get(id);
          if (!node) return;
          const f = node.callFrame;
          const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^https?:\/\/[^/]+/, '')}:${f.lineNumber}:${f.columnNumber}`;
          self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
        });
        const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
        console.log('heaviest self time (ms):');
        for (const [key, ms] of top) console.log(`   ${ms.toFixed(1).padStart(7)}  ${key}`);
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await harness.stop();
  }
}

await main();
