// fault-proxy: what the fault proxy costs when no fault is on. mcprun's own HTTP client (the
// worker's HttpEngine and VuHttp from dist/, 50 VUs each on its own keep-alive connection) runs
// GETs against nginx `return 200` (a Node server when nginx cannot be installed) for DURATION s:
//   direct        the client alone
//   loop-tcp      through a FaultProxy in the client's own event loop, bytes passed through
//   loop-http     the same, with HTTP framing on (what http-error / http-delay need)
//   thread-tcp    through a FaultProxy in a worker thread beside the client's loop
//   thread-http   the same, with HTTP framing
// The client process is pinned to CPU 0 (a worker's share of the machine, proxy thread included),
// the server to CPU 1. Modes alternate, ROUNDS rounds; medians and the ratios to `direct` from the
// same run are printed and written to bench/results/fault-proxy.json. Target: ratio ≥ 0.8.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ensureDebianPackage, fmt, machine, median, ROOT, saveResult, startNginx, table } from './lib.mjs';

const DURATION = Number(process.env.DURATION ?? 8);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const VUS = Number(process.env.VUS ?? 50);
const MODES = (process.env.MODES ?? 'direct,loop-tcp,loop-http,thread-tcp,thread-http').split(',');
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
  if (mode.startsWith('loop')) {
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
  const engine = new HttpEngine({ timeoutMs: 10_000, shareConnections: false, batchPerHost: 6, insecureSkipTLSVerify: false }, new WorkerMetricStore(new MetricRegistry()));
  const tags = { scenario: 'bench' };
  let reqs = 0;
  let errors = 0;
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
  await engine.close();
  await stop();
  process.stdout.write(JSON.stringify({ reqs, errors, seconds }));
}

function runClient(mode, target) {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', '0', process.execPath, new URL(import.meta.url).pathname, '--client', mode, target], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${mode} client exited with ${code}`))));
  });
}

/** nginx on CPU 1, or a Node keep-alive server pinned there when nginx is not to be had. */
async function startServer() {
  if (ensureDebianPackage('nginx', 'nginx-light')) return { name: 'nginx (1 worker)', ...(await startNginx(1)) };
  const child = spawn('taskset', ['-c', '1', process.execPath, '-e', NODE_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((r) => child.stdout.once('data', (d) => r(Number(String(d).trim()))));
  return { name: 'node:http', url: `http://127.0.0.1:${port}/`, stop: async () => (child.kill('SIGTERM'), await new Promise((r) => child.once('exit', r))) };
}

const NODE_SERVER = `const s = require('node:http').createServer((q, r) => r.end('hello world!\\n'));
s.keepAliveTimeout = 60000; s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));`;

async function main() {
  const server = await startServer();
  const runs = Object.fromEntries(MODES.map((m) => [m, []]));
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of MODES) {
        const r = await runClient(mode, server.url);
        const rps = r.reqs / r.seconds;
        runs[mode].push({ ...r, rps });
        process.stderr.write(`round ${round} ${mode}: ${fmt(rps)} req/s, ${r.errors} errors\n`);
      }
    }
  } finally {
    await server.stop();
  }
  const med = Object.fromEntries(MODES.map((m) => [m, median(runs[m].map((r) => r.rps))]));
  const ratios = Object.fromEntries(MODES.filter((m) => m !== 'direct').map((m) => [m, med[m] / med.direct]));
  console.log(`\nfault-proxy — ${machine()}; ${server.name} on CPU 1, client process (and its proxy thread) on CPU 0; ${VUS} VUs; ${DURATION} s × ${ROUNDS} rounds\n`);
  console.log(table(MODES.map((m) => ({ mode: m, 'req/s (median)': fmt(med[m]), 'ratio to direct': m === 'direct' ? '1.000' : ratios[m].toFixed(3), errors: runs[m].reduce((a, r) => a + r.errors, 0) }))));
  console.log(`\ntarget: every ratio ≥ 0.8 for the layout the run uses`);
  console.log(`written: ${saveResult('fault-proxy', { duration: DURATION, rounds: ROUNDS, vus: VUS, server: server.name, runs, medians: med, ratios })}`);
}
