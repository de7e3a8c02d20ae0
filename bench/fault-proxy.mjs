// fault-proxy: what the fault proxy costs when no fault is on. mcprun's own HTTP client (the
// worker's HttpEngine and VuHttp from dist/, 50 VUs each on its own keep-alive connection) runs
// GETs for DURATION s, in five layouts:
//   direct        the client alone
//   loop-tcp      through a FaultProxy in the client's own event loop, bytes passed through
//   loop-http     the same, with HTTP framing on (what http-error / http-delay need)
//   memory-tcp    the proxy in the client's loop, reached in memory: what a run uses for
//                 mcprun's own clients (a worker's WorkerTargets and the HTTP engine's dial hook,
//                 as protocols/services.ts wires them)
//   memory-http   the same, with HTTP framing
//   thread-tcp    through a FaultProxy in a worker thread beside the client's loop
//   thread-http   the same, with HTTP framing
// against two servers (SERVERS): nginx `return 200` (the cheapest answer there is: the client is
// the bottleneck, so this shows the proxy's whole cost) and a Node http server answering "hello"
// (a typical target: the server is the bottleneck, as for a real application). The client process
// is pinned to CPU 0 (one worker's share of the machine, proxy thread included), the server to
// CPU 1. Modes alternate, ROUNDS rounds. Printed (and written to bench/results/fault-proxy.json):
// the medians of req/s and of CPU time per request (the client process, every thread), and the
// medians of each round's ratio to that round's `direct`: of req/s, and of capacity (direct's CPU
// per request over this mode's: the throughput ratio when the core is the limit, which is the
// steadier figure on a machine shared with other work). Target (issue 15): ratio ≥ 0.8.
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ensureDebianPackage, fmt, machine, median, ROOT, saveResult, startNginx, table } from './lib.mjs';

const DURATION = Number(process.env.DURATION ?? 4);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const VUS = Number(process.env.VUS ?? 50);
const MODES = (process.env.MODES ?? 'direct,loop-tcp,loop-http,memory-tcp,memory-http,thread-tcp,thread-http').split(',');
const SERVERS = (process.env.SERVERS ?? 'nginx,node').split(',');
const NODE_SERVER = `const s = require('node:http').createServer((q, r) => r.end('hello world!\\n'));
s.keepAliveTimeout = 60000; s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));`;
const dist = (p) => pathToFileURL(join(ROOT, 'dist/runtime', p)).href;

if (!isMainThread) {
  // The proxy thread: a FaultProxy in its own event loop; reports its port.
  const { FaultProxy } = await import(dist('protocols/fault-proxy/proxy.js'));
  const proxy = new FaultProxy({ upstream: workerData.upstream, protocol: workerData.protocol });
  const { port } = await proxy.listen();
  parentPort.postMessage(port);
  parentPort.once('message', async () => {
    await proxy.close();
    process.exit(0);
  });
} else if (process.argv[2] === '--client') {
  await client(process.argv[3], process.argv[4]);
} else {
  await main();
}

/** One measurement in this (pinned) process: prints { reqs, errors, seconds }. */
async function client(mode, target) {
  const { HttpEngine } = await import(dist('protocols/http/vu-http.js'));
  const { WorkerMetricStore } = await import(dist('metrics/worker-store.js'));
  const { MetricRegistry } = await import(dist('metrics/registry.js'));
  const { FaultProxy } = await import(dist('protocols/fault-proxy/proxy.js'));
  const u = new URL(target);
  const upstream = { host: u.hostname, port: Number(u.port) };
  const protocol = mode.endsWith('http') ? 'http' : 'tcp';
  let url = target;
  let stop = async () => {};
  let dial;
  if (mode.startsWith('memory')) {
    const { WorkerTargets } = await import(dist('protocols/fault-proxy/worker-targets.js'));
    const targets = new WorkerTargets([{ name: 't', upstream: { url: target, scheme: 'http', ...upstream }, proxy: { protocol } }]);
    await targets.start();
    url = `${targets.urlOf('t')}/`;
    dial = (host, port, o) => targets.dial(host, port, o);
    stop = () => targets.close();
  } else if (mode.startsWith('loop')) {
    const proxy = new FaultProxy({ upstream, protocol });
    const { port } = await proxy.listen();
    url = `http://127.0.0.1:${port}/`;
    stop = () => proxy.close();
  } else if (mode.startsWith('thread')) {
    const w = new Worker(new URL(import.meta.url), { workerData: { upstream, protocol } });
    const port = await new Promise((r) => w.once('message', r));
    url = `http://127.0.0.1:${port}/`;
    stop = () => new Promise((r) => (w.once('exit', r), w.postMessage('stop')));
  }
  const { SourceAddresses } = await import(dist('protocols/local-ips.js'));
  const store = new WorkerMetricStore(new MetricRegistry());
  const engine = new HttpEngine({ timeoutMs: 10_000, shareConnections: false, batchPerHost: 6, insecureSkipTLSVerify: false }, store, undefined, new SourceAddresses(undefined), dial);
  const tags = { scenario: 'bench' };
  let reqs = 0;
  let errors = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + DURATION * 1000;
  const vu = async () => {
    const http = engine.client();
    while (performance.now() < end) {
      const res = await http.request('GET', url, null, undefined, tags, undefined);
      if (res.status === 200) reqs++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: VUS }, vu));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await engine.close();
  await stop();
  process.stdout.write(JSON.stringify({ reqs, errors, seconds, cpuUsPerReq: (cpu.user + cpu.system) / reqs }));
}

function runClient(mode, target) {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', '0', process.execPath, new URL(import.meta.url).pathname, '--client', mode, target], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${mode} client exited with ${code}`))));
  });
}

/** nginx on CPU 1, or a Node keep-alive server pinned there. */
async function startServer(kind) {
  if (kind === 'nginx') {
    if (!ensureDebianPackage('nginx', 'nginx-light')) return undefined;
    const before = new Set(readdirSync(tmpdir()));
    const nginx = await startNginx(1);
    // startNginx keeps its config in a temp folder of its own: remove it with the server.
    const dirs = readdirSync(tmpdir()).filter((d) => d.startsWith('mcprun-nginx-') && !before.has(d));
    return { name: 'nginx return 200 (1 worker)', url: nginx.url, stop: async () => (await nginx.stop(), dirs.forEach((d) => rmSync(join(tmpdir(), d), { recursive: true, force: true }))) };
  }
  const child = spawn('taskset', ['-c', '1', process.execPath, '-e', NODE_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((r) => child.stdout.once('data', (d) => r(Number(String(d).trim()))));
  return { name: 'node:http "hello"', url: `http://127.0.0.1:${port}/`, stop: async () => (child.kill('SIGTERM'), await new Promise((r) => child.once('exit', r))) };
}


async function measure(kind) {
  const server = await startServer(kind);
  if (!server) {
    console.error(`fault-proxy: ${kind} is not installed and could not be installed; skipped.`);
    return undefined;
  }
  const runs = Object.fromEntries(MODES.map((m) => [m, []]));
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of MODES) {
        const r = await runClient(mode, server.url);
        const rps = r.reqs / r.seconds;
        runs[mode].push({ ...r, rps });
        process.stderr.write(`${kind} round ${round} ${mode}: ${fmt(rps)} req/s, ${fmt(r.cpuUsPerReq, 2)} CPU-µs/req, ${r.errors} errors\n`);
      }
    }
  } finally {
    await server.stop();
  }
  const rps = Object.fromEntries(MODES.map((m) => [m, median(runs[m].map((r) => r.rps))]));
  const cpu = Object.fromEntries(MODES.map((m) => [m, median(runs[m].map((r) => r.cpuUsPerReq))]));
  // Paired: each round's figure over the same round's direct one (the machine's load drifts between rounds).
  const ratio = Object.fromEntries(MODES.map((m) => [m, median(runs[m].map((r, i) => r.rps / runs.direct[i].rps))]));
  const cpuRatio = Object.fromEntries(MODES.map((m) => [m, median(runs[m].map((r, i) => runs.direct[i].cpuUsPerReq / r.cpuUsPerReq))]));
  return { server: server.name, runs, rps, cpu, ratio, cpuRatio };
}

async function main() {
  const results = {};
  for (const kind of SERVERS) {
    const r = await measure(kind);
    if (r) results[kind] = r;
  }
  console.log(`\nfault-proxy — ${machine()}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}; server on CPU 1, client process (and its proxy thread) on CPU 0; ${VUS} VUs; ${DURATION} s × ${ROUNDS} rounds\n`);
  const rows = [];
  for (const r of Object.values(results)) {
    for (const m of MODES) {
      rows.push({
        server: r.server,
        mode: m,
        'req/s (median)': fmt(r.rps[m]),
        'req/s ratio to direct': r.ratio[m].toFixed(3),
        'CPU-µs / req': fmt(r.cpu[m], 2),
        'capacity ratio (direct CPU / CPU)': r.cpuRatio[m].toFixed(3),
        errors: r.runs[m].reduce((a, x) => a + x.errors, 0),
      });
    }
  }
  console.log(table(rows));
  console.log(`\ntarget: throughput ratio ≥ 0.8 in the layout the run uses (memory-*: the proxy in the worker's own event loop, reached in memory)`);
  console.log(`written: ${saveResult('fault-proxy', { duration: DURATION, rounds: ROUNDS, vus: VUS, load: loadavg(), results })}`);
}
