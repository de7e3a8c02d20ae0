// soak-memory: mcprun at a few thousand req/s for SOAK_MINUTES (default 5) against nginx; samples
// the whole mcprun process's RSS every 5 s and reports the slope after the first minute (MB/min).
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackage, MCPRUN, ROOT, saveResult, startNginx, table, fmt, machine } from './lib.mjs';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 5);
const RATE = Number(process.env.RATE ?? 3000);
if (!ensureDebianPackage('nginx', 'nginx-light')) {
  console.error('soak-memory: nginx unavailable; skipped.');
  process.exit(0);
}
const nginx = await startNginx(1);
const out = join(mkdtempSync(join(tmpdir(), 'mcprun-soak-')), 'summary.json');
const child = spawn('taskset', ['-c', '0', process.execPath, MCPRUN, join(ROOT, 'bench/scenarios/arrival.ts'), '--workers', '1', '--quiet', '--summary-export', out, '-e', `TARGET=${nginx.url}`, '-e', `RATE=${RATE}`, '-e', `DURATION=${MINUTES * 60}s`], { stdio: 'inherit' });
const t0 = Date.now();
const samples = [];
const rssOf = (pid) => {
  // taskset execs node, so the pid is node's.
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const timer = setInterval(() => {
  try {
    samples.push({ min: (Date.now() - t0) / 60_000, rssMB: rssOf(child.pid) });
  } catch {}
}, 5000);
await new Promise((r) => child.on('close', r));
clearInterval(timer);
await nginx.stop();

// While the load runs: from the end of the first minute to the end of the planned duration (the
// summary that follows decodes every histogram once, which is not growth over time).
const after = samples.filter((s) => s.min >= 1 && s.min <= MINUTES && Number.isFinite(s.rssMB));
const n = after.length;
const mx = after.reduce((a, s) => a + s.min, 0) / n;
const my = after.reduce((a, s) => a + s.rssMB, 0) / n;
const slope = after.reduce((a, s) => a + (s.min - mx) * (s.rssMB - my), 0) / after.reduce((a, s) => a + (s.min - mx) ** 2, 0);
const summary = JSON.parse(readFileSync(out, 'utf8'));
const row = {
  minutes: MINUTES,
  'target req/s': RATE,
  'achieved req/s': fmt(summary.metrics.http_reqs.values.rate),
  'RSS at 1 min (MB)': fmt(after[0]?.rssMB, 1),
  'RSS at end of load (MB)': fmt(after[n - 1]?.rssMB, 1),
  'growth after 1 min (MB)': fmt(after[n - 1]?.rssMB - after[0]?.rssMB, 1),
  'slope after 1 min (MB/min)': fmt(slope, 3),
};
console.log(`\nsoak-memory — ${machine()}\n`);
console.log(table([row]));
console.log(`\nwritten: ${saveResult('soak-memory', { row, samples })}`);
