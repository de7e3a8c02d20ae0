// latency-accuracy: a Node server answers after exactly 50 ms (pinned to CPU 1); mcprun at
// 1,000 req/s (constant-arrival-rate, pinned to CPU 0) and wrk (-t1 -c50, closed loop) report p50
// and p99; we print them minus 50 ms and minus the server's own measured hold time.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackage, MCPRUN, ROOT, runTimed, saveResult, table, fmt, machine, median } from './lib.mjs';

const DURATION = Number(process.env.DURATION ?? 10);
const RATE = Number(process.env.RATE ?? 1000);
const tmp = mkdtempSync(join(tmpdir(), 'mcprun-lat-'));

async function startServer() {
  const child = spawn('taskset', ['-c', '1', process.execPath, join(ROOT, 'bench/delay-server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = await once(child.stdout, 'data');
  const url = `http://127.0.0.1:${chunk.toString().trim()}/`;
  return {
    url,
    held: async () => JSON.parse(await (await fetch(`${url}__held`)).text()),
    stop: async () => {
      child.kill();
      await once(child, 'exit');
    },
  };
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** One mcprun run against a fresh server: `key` is the duration metric (or sub-metric) reported. */
async function mcprunRow(scenario, key, label) {
  const srv = await startServer();
  const out = join(tmp, `${scenario}.json`);
  const r = await runTimed(process.execPath, [MCPRUN, join(ROOT, `bench/scenarios/${scenario}.ts`), '--workers', '1', '--quiet', '--summary-export', out, '-e', `TARGET=${srv.url}`, '-e', `RATE=${RATE}`, '-e', `DURATION=${DURATION}s`, '-e', 'VUS=100'], { cpu: 0 });
  if (r.code !== 0) throw new Error(r.stderr);
  const d = JSON.parse(readFileSync(out, 'utf8')).metrics[key].values;
  const held = await srv.held();
  await srv.stop();
  // The server's held times of the requests reported (with a warm-up: the last ones, in completion order).
  const measured = held.slice(Math.max(0, held.length - d.count));
  return { tool: label, 'p50 ms': d.med, 'p99 ms': d['p(99)'], 'server p50': pct(measured, 50), 'server p99': pct(measured, 99), reqs: d.count };
}

const rows = [];
rows.push(await mcprunRow('arrival', 'http_req_duration', `mcprun ${RATE}/s (open)`));
// The same load after a 2 s warm-up at the same rate: what the first seconds (connections being
// opened, code not yet compiled) add to the whole-run p99 above.
rows.push(await mcprunRow('arrival-warm', 'http_req_duration{phase:measure}', `mcprun ${RATE}/s (open), after 2 s warm-up`));
if (ensureDebianPackage('wrk', 'wrk')) {
  const srv = await startServer();
  const r = await runTimed('wrk', ['-t1', '-c50', `-d${DURATION}s`, '--latency', srv.url], { cpu: 0 });
  const held = await srv.held();
  await srv.stop();
  const lat = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(r.stdout);
    return m ? Number(m[1]) * (m[2] === 'us' ? 1e-3 : m[2] === 's' ? 1e3 : 1) : NaN;
  };
  rows.push({ tool: 'wrk -t1 -c50 (closed)', 'p50 ms': lat(50), 'p99 ms': lat(99), 'server p50': pct(held, 50), 'server p99': pct(held, 99), reqs: Number(/(\d+) requests in/.exec(r.stdout)?.[1]) });
}
const view = rows.map((x) => ({
  tool: x.tool,
  'p50 − 50 ms': fmt(x['p50 ms'] - 50, 3),
  'p99 − 50 ms': fmt(x['p99 ms'] - 50, 3),
  'p50 − server p50': fmt(x['p50 ms'] - x['server p50'], 3),
  'p99 − server p99': fmt(x['p99 ms'] - x['server p99'], 3),
  requests: x.reqs,
}));
console.log(`\nlatency-accuracy — ${machine()}; server setTimeout(50) on CPU 1, generator on CPU 0, ${DURATION} s\n`);
console.log(table(view));
console.log(`\nwritten: ${saveResult('latency-accuracy', { rows })}`);
void median;
