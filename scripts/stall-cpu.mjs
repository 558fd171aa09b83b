/**
 * Which work held the main thread in each event-loop stall (issue #17): reads a .cpuprofile
 * (node --cpu-prof --cpu-prof-interval 1000) and the STALLS=FILE list written by
 * scripts/measure-import-loop.ts, and prints the stalls ranked by the main thread's own CPU
 * in them (a stall with little CPU is the machine not running the process, not our code).
 *
 * Usage: node scripts/stall-cpu.mjs PROFILE.cpuprofile STALLS.json [N]
 */
import fs from 'node:fs';
const p = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const stalls = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const times = [];
let t = p.startTime;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i];
  times.push(t);
}
const name = (id) => byId.get(id).callFrame.functionName + ' ' + byId.get(id).callFrame.url.split('/').slice(-2).join('/');
const out = [];
for (const [end, len] of stalls) {
  let cpu = 0,
    script = 0,
    gc = 0;
  const top = new Map();
  for (let i = 0; i < times.length; i++) {
    if (times[i] < end - len || times[i] > end) continue;
    const chain = [];
    for (let x = p.samples[i]; x !== undefined; x = parent.get(x)) chain.push(name(x));
    if (chain[0].startsWith('(idle)') || chain[0].startsWith('(program)')) continue;
    if (
      chain.some((f) => /^(main|measure|rss) scripts\/measure/.test(f) && !chain.some((g) => /ipc\/handle/.test(g))) ||
      chain.some((f) => /copyFile|rmSync/.test(f))
    ) {
      script++;
      continue;
    }
    cpu++;
    if (chain[0].startsWith('(garbage')) gc++;
    const k = chain.filter((f) => /import\/|ipc\/|services\/|db\//.test(f))[0] ?? chain[0];
    top.set(k, (top.get(k) ?? 0) + 1);
  }
  if (script > cpu) continue;
  out.push({
    wall: Math.round(len / 1000),
    cpu,
    gc,
    top: [...top]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, n]) => `${n} ${k}`)
      .join(' | '),
  });
}
out.sort((a, b) => b.cpu - a.cpu);
for (const o of out.slice(0, Number(process.argv[4] ?? 8))) console.log(`wall ${o.wall} ms, main-thread cpu ${o.cpu} ms (gc ${o.gc}): ${o.top}`);
