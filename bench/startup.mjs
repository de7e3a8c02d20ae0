// startup: time from spawning `mcprun scenario.ts` to the first request reaching the server
// (the server's clock), for a small scenario. RUNS (default 10), median reported.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { MCPRUN, ROOT, median, saveResult, table, fmt, machine } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 10);
const WORKERS = process.env.WORKERS ?? '1';
let firstAt = 0;
const server = createServer((_q, res) => {
  firstAt ||= performance.now();
  res.end('ok');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const target = `http://127.0.0.1:${server.address().port}/`;

// The floor: a bare Node process that sends one request (what any Node-based tool pays first).
const floor = [];
for (let i = 0; i < RUNS; i++) {
  firstAt = 0;
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', `require('http').get(${JSON.stringify(target)}, (r) => r.resume())`], { stdio: 'ignore' });
  await new Promise((r) => child.on('close', r));
  floor.push(firstAt - t0);
}

const samples = [];
const totals = [];
for (let i = 0; i < RUNS; i++) {
  firstAt = 0;
  const t0 = performance.now();
  const child = spawn(process.execPath, [MCPRUN, join(ROOT, 'bench/scenarios/startup.ts'), '--quiet', '--workers', WORKERS, '-e', `TARGET=${target}`], { stdio: 'ignore' });
  await new Promise((r) => child.on('close', r));
  samples.push(firstAt - t0);
  totals.push(performance.now() - t0);
}
server.close();
const res = { 'first request (ms, median)': fmt(median(samples), 1), 'min': fmt(Math.min(...samples), 1), 'max': fmt(Math.max(...samples), 1), 'whole run (ms, median)': fmt(median(totals), 1), 'bare node -e http.get (ms, median)': fmt(median(floor), 1) };
console.log(`\nstartup — ${machine()}; ${RUNS} runs, --workers ${WORKERS}\n`);
console.log(table([res]));
console.log(`\nwritten: ${saveResult('startup', { runs: RUNS, samples, totals, median: median(samples), floor, floorMedian: median(floor) })}`);
