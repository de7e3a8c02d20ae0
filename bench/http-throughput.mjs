// http-throughput: mcprun vs autocannon vs wrk against nginx `return 200`, nginx pinned to CPU 1,
// generators pinned to CPU 0, alternating A B C A B C, 10 s each, 3 rounds (DURATION, ROUNDS).
// Prints medians and the ratios from the same run; writes bench/results/http-throughput.json.
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackage, have, median, MCPRUN, ROOT, runTimed, saveResult, startNginx, table, fmt, machine } from './lib.mjs';

const DURATION = Number(process.env.DURATION ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONNS = 50;
const WORKERS = process.env.WORKERS ?? '1';

if (!ensureDebianPackage('nginx', 'nginx-light')) {
  console.error('http-throughput: nginx is not installed and could not be installed; skipped.');
  process.exit(0);
}
const withWrk = ensureDebianPackage('wrk', 'wrk');
const nginx = await startNginx(1, Number(process.env.NGINX_WORKERS ?? 1));
const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');
const tmp = mkdtempSync(join(tmpdir(), 'mcprun-bench-'));
const cpu = process.env.UNPINNED ? null : 0;

async function mcprun(round) {
  const out = join(tmp, `mcprun-${round}.json`);
  const r = await runTimed(process.execPath, [MCPRUN, join(ROOT, 'bench/scenarios/http-throughput.ts'), '--workers', WORKERS, '--quiet', '--summary-export', out, '-e', `TARGET=${nginx.url}`, '-e', `VUS=${CONNS}`, '-e', `DURATION=${DURATION}s`], { cpu });
  if (r.code !== 0) throw new Error(`mcprun failed (${r.code}): ${r.stderr}`);
  const s = JSON.parse(readFileSync(out, 'utf8'));
  const reqs = s.metrics.http_reqs.values.count;
  return { rps: s.metrics.http_reqs.values.rate, p50: s.metrics.http_req_duration.values.med, p99: s.metrics.http_req_duration.values['p(99)'], cpu100k: (r.cpuSeconds / reqs) * 1e5, errors: s.metrics.http_req_failed.values.passes };
}

async function autocannon() {
  const r = await runTimed(process.execPath, [AUTOCANNON, '-c', String(CONNS), '-d', String(DURATION), '--json', nginx.url], { cpu });
  const j = JSON.parse(r.stdout);
  return { rps: j.requests.average, p50: j.latency.p50, p99: j.latency.p99, cpu100k: (r.cpuSeconds / j.requests.total) * 1e5, errors: j.errors + j.non2xx };
}

async function wrk() {
  const r = await runTimed('wrk', ['-t1', `-c${CONNS}`, `-d${DURATION}s`, '--latency', nginx.url], { cpu });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const total = Number(/(\d+) requests in/.exec(r.stdout)?.[1]);
  const lat = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(r.stdout);
    if (!m) return NaN;
    return Number(m[1]) * (m[2] === 'us' ? 1e-3 : m[2] === 's' ? 1e3 : 1);
  };
  return { rps, p50: lat(50), p99: lat(99), cpu100k: (r.cpuSeconds / total) * 1e5, errors: 0 };
}

const tools = { mcprun, autocannon, ...(withWrk ? { wrk } : {}) };
const runs = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, fn] of Object.entries(tools)) {
      const r = await fn(round);
      runs[name].push(r);
      process.stderr.write(`round ${round} ${name}: ${fmt(r.rps)} req/s, p50 ${fmt(r.p50, 3)} ms, p99 ${fmt(r.p99, 3)} ms, ${fmt(r.cpu100k, 3)} CPU-s/100k\n`);
    }
  }
} finally {
  await nginx.stop();
}
const med = Object.fromEntries(Object.entries(runs).map(([k, rs]) => [k, { rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), cpu100k: median(rs.map((r) => r.cpu100k)), errors: rs.reduce((a, r) => a + r.errors, 0) }]));
const ratios = {
  'mcprun/autocannon req/s': med.mcprun.rps / med.autocannon.rps,
  'mcprun/autocannon CPU per 100k': med.mcprun.cpu100k / med.autocannon.cpu100k,
  ...(med.wrk ? { 'mcprun/wrk req/s': med.mcprun.rps / med.wrk.rps } : {}),
};
console.log(`\nhttp-throughput — ${machine()}; nginx return 200 on CPU 1, generators on CPU ${cpu ?? 'any'}; ${CONNS} connections; ${DURATION} s × ${ROUNDS} rounds; mcprun --workers ${WORKERS}\n`);
console.log(table(Object.entries(ratios).map(([k, v]) => ({ ratio: k, value: v.toFixed(3) }))));
console.log();
console.log(table(Object.entries(med).map(([k, v]) => ({ tool: k, 'req/s (median)': fmt(v.rps), 'p50 ms': fmt(v.p50, 3), 'p99 ms': fmt(v.p99, 3), 'CPU-s / 100k req': fmt(v.cpu100k, 3), errors: v.errors }))));
console.log(`\nwritten: ${saveResult('http-throughput', { duration: DURATION, rounds: ROUNDS, workers: WORKERS, runs, medians: med, ratios })}`);
