// http-scaling: does mcprun scale with --workers? The honest set-up needs the target on cores of its
// own; this machine has two cores in all. So we measure what can be measured here and say what it
// implies:
//   1. equal load per worker (open model): --workers 1 at RATE req/s and --workers 2 at 2 × RATE,
//      a rate one worker sustains with CPU to spare, so nothing is oversubscribed: the achieved rates
//      should be exactly 1 : 2 and the CPU per request equal. Equal CPU per request at equal load per
//      worker is what linear scaling means (the design shares nothing between workers: one metrics
//      message per worker per second);
//   2. generator-bound flat out (closed model, VUS VUs, bench/scenarios/http-work.ts): each iteration
//      also parses a JSON document WORK times, so nginx costs a few % of what the generator does and
//      is not the bottleneck: req/s with 2 workers / 1 worker is the scaling the issue asks for;
//   3. plain flat out (GET + check only): req/s and requests per CPU-second with 1 and 2 workers.
//      Here nginx (2 workers) costs ~1/3 of mcprun per request on the same two cores, so this ratio
//      is bounded by the machine, not the design.
// Alternating W1 W2, DURATION s each (default 10), ROUNDS (default 3); nginx `return 200`, 2 workers.
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackage, median, MCPRUN, ROOT, runTimed, saveResult, startNginx, table, fmt, machine } from './lib.mjs';

const DURATION = Number(process.env.DURATION ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const VUS = Number(process.env.VUS ?? 100);
const RATE = Number(process.env.RATE ?? 5000);

if (!ensureDebianPackage('nginx', 'nginx-light')) {
  console.error('http-scaling: nginx is not installed and could not be installed; skipped.');
  process.exit(0);
}
const nginx = await startNginx('0,1', 2);
const tmp = mkdtempSync(join(tmpdir(), 'mcprun-scaling-'));

/** One mcprun run of bench/scenarios/<scenario>.ts, unpinned: its summary, requests and CPU seconds. */
async function runScenario(scenario, workers, env) {
  const out = join(tmp, `${scenario}-w${workers}-${Date.now()}.json`);
  const flags = Object.entries({ TARGET: nginx.url, DURATION: `${DURATION}s`, ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const r = await runTimed(process.execPath, [MCPRUN, join(ROOT, `bench/scenarios/${scenario}.ts`), '--workers', String(workers), '--quiet', '--summary-export', out, ...flags], { cpu: null });
  // 99: a threshold failed, which the open model may report under overload; the figures still stand.
  if (r.code !== 0 && r.code !== 99) throw new Error(`mcprun failed (${r.code}): ${r.stderr}`);
  const s = JSON.parse(readFileSync(out, 'utf8'));
  return { s, reqs: s.metrics.http_reqs.values.count, rps: s.metrics.http_reqs.values.rate, cpuSeconds: r.cpuSeconds };
}

async function mcprun(workers) {
  const r = await runScenario('http-throughput', workers, { VUS });
  return { rps: r.rps, cpuSeconds: r.cpuSeconds, reqsPerCpuSecond: r.reqs / r.cpuSeconds, errors: r.s.metrics.http_req_failed.values.passes };
}

async function work(workers) {
  const r = await runScenario('http-work', workers, { VUS });
  return { rps: r.rps, cpuSeconds: r.cpuSeconds };
}

async function open(workers) {
  const rate = RATE * workers;
  const r = await runScenario('arrival', workers, { RATE: rate, VUS: 200 });
  const m = r.s.metrics;
  return { rate, rps: r.rps, cpu100k: (r.cpuSeconds / r.reqs) * 1e5, dropped: m.dropped_iterations?.values.count ?? 0, lagP99: m.iteration_lag?.values['p(99)'] };
}

const runs = { 1: [], 2: [] };
const openRuns = { 1: [], 2: [] };
const workRuns = { 1: [], 2: [] };
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const w of [1, 2]) {
      const o = await open(w);
      openRuns[w].push(o);
      process.stderr.write(`round ${round} open --workers ${w}: ${fmt(o.rps)} of ${o.rate} req/s, ${fmt(o.cpu100k, 3)} CPU-s/100k, dropped ${o.dropped}\n`);
      const wk = await work(w);
      workRuns[w].push(wk);
      process.stderr.write(`round ${round} generator-bound --workers ${w}: ${fmt(wk.rps)} req/s, ${fmt(wk.cpuSeconds, 2)} CPU-s\n`);
      const r = await mcprun(w);
      runs[w].push(r);
      process.stderr.write(`round ${round} closed --workers ${w}: ${fmt(r.rps)} req/s, ${fmt(r.reqsPerCpuSecond)} req per CPU-s, ${fmt(r.cpuSeconds, 2)} CPU-s\n`);
    }
  }
} finally {
  await nginx.stop();
}
const med = Object.fromEntries(Object.entries(runs).map(([w, rs]) => [w, { rps: median(rs.map((r) => r.rps)), perCpu: median(rs.map((r) => r.reqsPerCpuSecond)), cpu: median(rs.map((r) => r.cpuSeconds)), errors: rs.reduce((a, r) => a + r.errors, 0) }]));
const openMed = Object.fromEntries(Object.entries(openRuns).map(([w, rs]) => [w, { rate: rs[0].rate, rps: median(rs.map((r) => r.rps)), cpu100k: median(rs.map((r) => r.cpu100k)), dropped: rs.reduce((a, r) => a + r.dropped, 0), lagP99: median(rs.map((r) => r.lagP99)) }]));
const workMed = Object.fromEntries(Object.entries(workRuns).map(([w, rs]) => [w, { rps: median(rs.map((r) => r.rps)), cpu: median(rs.map((r) => r.cpuSeconds)) }]));
const efficiency = med[2].perCpu / med[1].perCpu;
const ratios = {
  'generator-bound (nginx not the bottleneck): req/s, 2 workers / 1 worker': (workMed[2].rps / workMed[1].rps).toFixed(3),
  [`open model, equal load per worker (${RATE}/s each): achieved req/s, 2 workers / 1 worker`]: (openMed[2].rps / openMed[1].rps).toFixed(3),
  'open model: CPU per request, 1 worker / 2 workers (1.0 = linear)': (openMed[1].cpu100k / openMed[2].cpu100k).toFixed(3),
  'flat out: requests per CPU-second, 2 workers / 1 worker': efficiency.toFixed(3),
  'flat out: req/s measured here, 2 workers / 1 worker (cores shared with nginx)': (med[2].rps / med[1].rps).toFixed(2),
};
console.log(`\nhttp-scaling — ${machine()}; nginx return 200 (2 workers) and mcprun on the same 2 cores, unpinned; ${VUS} VUs; ${DURATION} s × ${ROUNDS} rounds\n`);
console.log(table(Object.entries(ratios).map(([k, v]) => ({ measure: k, value: v }))));
console.log();
console.log(table(Object.entries(openMed).map(([w, v]) => ({ 'open model': `--workers ${w}`, 'target req/s': v.rate, 'achieved req/s (median)': fmt(v.rps), 'CPU-s / 100k req': fmt(v.cpu100k, 3), dropped: v.dropped, 'iteration_lag p99 ms': fmt(v.lagP99, 2) }))));
console.log();
console.log(table(Object.entries(workMed).map(([w, v]) => ({ 'generator-bound': `--workers ${w}`, 'req/s (median)': fmt(v.rps), 'CPU-s per run': fmt(v.cpu, 2) }))));
console.log();
console.log(table(Object.entries(med).map(([w, v]) => ({ 'flat out': `--workers ${w}`, 'req/s (median)': fmt(v.rps), 'req per CPU-s': fmt(v.perCpu), 'CPU-s per run': fmt(v.cpu, 2), errors: v.errors }))));
console.log(`\nwritten: ${saveResult('http-scaling', { duration: DURATION, rounds: ROUNDS, vus: VUS, rate: RATE, runs, openRuns, workRuns, medians: med, openMedians: openMed, workMedians: workMed, ratios })}`);
