// What sampling the system under test costs the coordinator, at 1,000 and 21,000 server
// connections (a parent and one child server process, each under the 20,000-fd limit, held by
// two client processes on loopback). For each: the CPU of one per-second /proc sample, of one
// exact connection census, and of the sampler as it runs (timer, samples, the censuses its
// budget allows) over a window, in ms of CPU per real second above the same process idle; the
// reference in the same run is the naive design, an exact census every second. The census
// spacing follows the wall time a census held the loop (Node 20 has no per-thread CPU clock),
// which on a busy machine exceeds its CPU time, so fewer censuses run than the CPU column
// alone suggests. Needs `node scripts/build.mjs` first.
//
//   node bench/sut-sampling.mjs            SIZES=1000,21000 WINDOW_S=30
//   node bench/sut-sampling.mjs --client PORT N     (internal: one client process)
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ROOT, fmt, machine, saveResult, table } from './lib.mjs';

if (process.argv[2] === '--client') await holdConnections(Number(process.argv[3]), Number(process.argv[4]));
else await main();

async function holdConnections(port, n) {
  const sockets = [];
  while (sockets.length < n) {
    const batch = Array.from({ length: Math.min(500, n - sockets.length) }, () => connect(port, '127.0.0.1'));
    await Promise.all(batch.map((s) => once(s, 'connect')));
    sockets.push(...batch);
  }
  process.send('held');
  process.on('disconnect', () => process.exit(0));
}

async function main() {
  const { SutSampler } = await import(join(ROOT, 'dist/runtime/sut/sut-sampler.js'));
  const { ProcSampler } = await import(join(ROOT, 'dist/runtime/sut/proc-sampler.js'));
  const { takeSocketCensus } = await import(join(ROOT, 'dist/runtime/sut/socket-census.js'));
  const sizes = (process.env.SIZES ?? '1000,21000').split(',').map(Number);
  const windowS = Number(process.env.WINDOW_S ?? 30);
  console.log(`sut-sampling on ${machine()}, window ${windowS} s per size`);
  const rows = [];
  for (const total of sizes) {
    const server = fork(join(ROOT, 'test/fixtures/sut/holding-server.mjs'), [], { env: { ...process.env, CHILDREN: '1' } });
    const clients = [];
    try {
      const [{ ports, pids }] = await once(server, 'message');
      for (const [i, port] of ports.entries()) {
        const c = fork(new URL(import.meta.url), ['--client', String(port), String(Math.ceil(total / 2) - (i === 1 && total % 2 ? 1 : 0))]);
        clients.push(c);
      }
      await Promise.all(clients.map((c) => once(c, 'message')));
      const tableLines = ['tcp', 'tcp6'].reduce((n, t) => n + readFileSync(`/proc/${pids[0]}/net/${t}`, 'latin1').split('\n').length - 2, 0);

      const proc = new ProcSampler([server.pid]);
      proc.sample();
      const sampleMs = cpuMs(() => proc.sample(), 50);
      const censuses = [];
      for (let i = 0; i < 3; i++) censuses.push(await cpuMsAsync(() => takeSocketCensus(proc.sample().pids)));
      const census = await takeSocketCensus(proc.sample().pids);
      const censusMs = Math.min(...censuses);

      const idle = await cpuOver(5);
      const sampler = new SutSampler({ pids: [server.pid] });
      await sampler.start();
      const censusesBefore = sampler.census.count;
      const last = [];
      sampler.on('sample', (s) => last.push(s));
      // Long enough for the budget to allow at least one census inside the window.
      const seconds = Math.max(windowS, Math.ceil(1.5 * Math.max(1, sampler.census.last.costMs / 2)));
      const used = await cpuOver(seconds);
      const censusesInWindow = sampler.census.count - censusesBefore;
      await sampler.stop();
      const connections = last.at(-1)?.values.sut_connections;
      rows.push({
        connections: total,
        'table lines': tableLines,
        'census found': census.established,
        'sut_connections': connections,
        'sample ms CPU': fmt(sampleMs, 3),
        'census ms CPU': fmt(censusMs, 1),
        'longest census slice ms': fmt(census.longestSliceMs, 1),
        window: `${seconds} s`,
        'sampler ms CPU/s': fmt(used - idle, 2),
        'censuses in window': censusesInWindow,
        'census every s': fmt(Math.max(1, censusMs / 2), 0),
        'amortised ms CPU/s': fmt(sampleMs + censusMs / Math.max(1, censusMs / 2), 2),
        'naive ms CPU/s': fmt(censusMs + sampleMs, 1),
        'ours / naive': fmt((used - idle) / (censusMs + sampleMs), 3),
      });
      console.log(table(rows.slice(-1)));
    } finally {
      for (const c of clients) c.kill();
      server.kill();
      await Promise.all([...clients, server].map((p) => (p.exitCode === null && p.signalCode === null ? once(p, 'exit') : undefined)));
    }
  }
  console.log(`\n${table(rows)}`);
  console.log(`\nresults: ${saveResult('sut-sampling', { windowS, rows })}`);
}

/** CPU ms per real second of this whole process over `seconds` (GC and helper threads included). */
async function cpuOver(seconds) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / ((performance.now() - t0) / 1000);
}

function cpuMs(f, reps) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / reps;
}

async function cpuMsAsync(f) {
  const c0 = process.cpuUsage();
  await f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}
