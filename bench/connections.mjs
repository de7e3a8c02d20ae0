#!/usr/bin/env node
// bench/connections: how many idle WebSocket connections one `mcprun` command holds, how fast it
// opens them, and what each costs the generator.
//
//   node bench/connections.mjs --n 100000 --rate 5000            (defaults below; all 127.x)
//
// 1. Forks --servers WebSocket echo servers (bench/ws-echo-server.mjs) on 127.0.0.1:0. The open-file
//    limit is per process (20,000 here), so 100K connections need at least 6 server processes.
// 2. Runs `mcprun bench/connections-scenario.ts --pool processes --workers W --local-ips ...`: ramp to
//    N idle WebSocket VUs at R/s, hold, ping each once, close all at the same moment.
// 3. Reports: concurrent connections (mcprun's connections_active and the servers' own count),
//    connections/s (servers' first to last accept), heap and RSS per VU (the workers' own
//    mcprun_heap_per_vu / mcprun_rss_per_vu gauges), pings, time to close all, sockets left open.
// Stops by itself: every child is killed by pid after --timeout seconds.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { childGuard, forkStatServers } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'dist/cli.mjs');
const SERVER = join(ROOT, 'bench/ws-echo-server.mjs');
const SCENARIO = join(ROOT, 'bench/connections-scenario.ts');
const FD_PER_SERVER = 18_000;

const { values: a } = parseArgs({
  options: {
    n: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '1000' },
    hold: { type: 'string', default: '3' },
    'ping-timeout': { type: 'string', default: '10' },
    'max-handshakes': { type: 'string', default: '256' },
    servers: { type: 'string' },
    workers: { type: 'string' },
    pool: { type: 'string', default: 'processes' },
    'local-ips': { type: 'string', default: '127.0.0.2-127.0.0.33' },
    timeout: { type: 'string', default: '300' },
    json: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    // Profiling: e.g. --node-args='--cpu-prof --cpu-prof-dir=/tmp/prof' (mcprun and its workers) and
    // --server-node-args for the echo servers.
    'node-args': { type: 'string', default: '' },
    'server-node-args': { type: 'string', default: '' },
  },
});
const N = Number(a.n);
const RATE = Number(a.rate);
const SERVERS = Number(a.servers ?? Math.max(1, Math.ceil(N / FD_PER_SERVER)));
const WORKERS = Number(a.workers ?? Math.max(availableParallelism(), Math.ceil(N / FD_PER_SERVER)));
const log = (...x) => a.quiet || console.error('[bench/connections]', ...x);
if (!existsSync(BIN)) {
  console.error('bench/connections: dist/ is missing; run `npm run build` first.');
  process.exit(2);
}

const guard = childGuard('bench/connections', Number(a.timeout));

/** CPU seconds of this process's reaped children (and theirs): cutime + cstime from /proc/self/stat. */
function childrenCpuSeconds() {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[13]) + Number(f[14])) / 100; // fields 16 and 17, in USER_HZ (100)
  } catch {
    return NaN;
  }
}

// 1. Servers.
const servers = await forkStatServers(SERVER, SERVERS, guard, a['server-node-args'].split(' ').filter(Boolean));
const stats = () => Promise.all(servers.map((s) => s.ask()));
const targets = servers.map((s) => `ws://127.0.0.1:${s.port}/`).join(',');
log(`${SERVERS} echo servers on ports ${servers.map((s) => s.port).join(', ')}; ${WORKERS} mcprun workers (--pool ${a.pool}); N=${N} at ${RATE}/s`);

// Concurrency as the servers see it, sampled (the sum of per-server peaks is only an upper bound).
let sampledMax = 0;
const sampler = setInterval(async () => {
  const ss = await stats();
  const open = ss.reduce((t, s) => t + s.open, 0);
  if (open > sampledMax) sampledMax = open;
}, 250);

// 2. mcprun.
const dir = mkdtempSync(join(tmpdir(), 'mcprun-bench-conn-'));
const summaryPath = join(dir, 'summary.json');
const args = [
  BIN,
  SCENARIO,
  '--workers', String(WORKERS),
  '--pool', a.pool,
  '--summary-export', summaryPath,
  '--no-progress',
  '-e', `N=${N}`,
  '-e', `RATE=${RATE}`,
  '-e', `HOLD_S=${a.hold}`,
  '-e', `PING_WINDOW_S=${a['ping-timeout']}`,
  '-e', `WORKERS=${WORKERS}`,
  '-e', `MAX_HANDSHAKES=${a['max-handshakes']}`,
  '-e', `TARGETS=${targets}`,
];
if (a['local-ips'] && a['local-ips'] !== 'none') args.push('--local-ips', a['local-ips']);
const cmd = `mcprun ${args.slice(1).map((x) => (x.includes(',') || x.includes('=') ? `'${x}'` : x)).join(' ')}`.replace(ROOT + '/', '');
log(cmd);
const t0 = Date.now();
const mcprun = spawn(process.execPath, [...a['node-args'].split(' ').filter(Boolean), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
guard.children.push(mcprun);
let out = '';
mcprun.stdout.on('data', (d) => (out += d));
mcprun.stderr.on('data', (d) => (out += d));
const code = await new Promise((r) => mcprun.on('exit', (c, sig) => r(c ?? sig)));
const wallS = (Date.now() - t0) / 1000;
const mcprunCpuS = childrenCpuSeconds(); // mcprun and its workers, reaped; the servers still run
clearInterval(sampler);
await new Promise((r) => setTimeout(r, 300));
const end = await stats();
guard.finish();
// Servers exit when their IPC channel closes (and write a --cpu-prof profile if asked); killed after 3 s.
const serversExited = Promise.all(servers.map((s) => new Promise((r) => (s.child.exitCode !== null ? r() : s.child.once('exit', r)))));
for (const s of servers) s.child.disconnect();
await Promise.race([serversExited, new Promise((r) => setTimeout(r, 3000))]);

// 3. Report.
let summary;
try {
  summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
} catch {
  console.error(`bench/connections: mcprun exited ${code} without a summary:\n${out.slice(-4000)}`);
  guard.killAll();
  process.exit(1);
}
rmSync(dir, { recursive: true, force: true });
const m = summary.metrics;
const v = (name, key) => m[name]?.values?.[key] ?? 0;
const sum = (k) => end.reduce((t, s) => t + s[k], 0);
const firstOpen = Math.min(...end.map((s) => s.firstOpenAt || Infinity));
const lastOpen = Math.max(...end.map((s) => s.lastOpenAt));
const firstClose = Math.min(...end.map((s) => s.firstCloseAt || Infinity));
const lastClose = Math.max(...end.map((s) => s.lastCloseAt));
const opened = sum('opened');
const r1 = (x) => Math.round(x * 10) / 10;
const report = {
  command: `node bench/connections.mjs --n ${N} --rate ${RATE} --hold ${a.hold} --servers ${SERVERS} --workers ${WORKERS} --local-ips ${a['local-ips']} --max-handshakes ${a['max-handshakes']}`,
  mcprun: cmd,
  exitCode: code,
  wallSeconds: r1(wallS),
  target: { n: N, rate: RATE, holdS: Number(a.hold), servers: SERVERS, workers: WORKERS, pool: a.pool },
  concurrent: {
    mcprun_connections_active_max: v('connections_active', 'max'),
    servers_sampled_max: sampledMax,
    servers_sum_of_peaks: sum('maxOpen'),
  },
  connections: {
    opened_by_mcprun: v('connections_opened', 'count'),
    accepted_by_servers: opened,
    failed: v('connections_failed', 'count'),
    ws_errors: v('ws_errors', 'count'),
    per_second_servers: Math.round(opened / Math.max(0.001, (lastOpen - firstOpen) / 1000)),
    ramp_seconds_servers: r1((lastOpen - firstOpen) / 1000),
    ramp_seconds_mcprun_slowest_worker: r1(v('bench_ramp_ms', 'max') / 1000),
    ws_connecting_ms: { med: r1(v('ws_connecting', 'med')), p95: r1(v('ws_connecting', 'p(95)')), p99: r1(v('ws_connecting', 'p(99)')), max: r1(v('ws_connecting', 'max')) },
    dropped_iterations: v('dropped_iterations', 'count'),
    iteration_lag_p99_ms: r1(v('iteration_lag', 'p(99)')),
    handshake_slot_wait_ms: { med: r1(v('bench_slot_wait_ms', 'med')), p99: r1(v('bench_slot_wait_ms', 'p(99)')), max: r1(v('bench_slot_wait_ms', 'max')) },
  },
  memory_per_vu: {
    heap_bytes: { value: v('mcprun_heap_per_vu', 'value'), min: v('mcprun_heap_per_vu', 'min'), max: v('mcprun_heap_per_vu', 'max') },
    rss_bytes: { value: v('mcprun_rss_per_vu', 'value'), min: v('mcprun_rss_per_vu', 'min'), max: v('mcprun_rss_per_vu', 'max') },
  },
  pings: { mcprun_ws_ping_count: v('ws_ping', 'count'), servers_saw: sum('pings'), p50_ms: r1(v('ws_ping', 'med')), p99_ms: r1(v('ws_ping', 'p(99)')) },
  close: {
    time_to_close_all_ms_mcprun: r1(v('bench_close_ms', 'max')),
    median_close_ms_mcprun: r1(v('bench_close_ms', 'med')),
    servers_first_to_last_close_ms: Number.isFinite(firstClose) ? lastClose - firstClose : null,
    closed_by_servers: sum('closed'),
    close_codes: end.reduce((acc, s) => {
      for (const [k, n] of Object.entries(s.closeCodes)) acc[k] = (acc[k] ?? 0) + n;
      return acc;
    }, {}),
    left_open_on_servers: sum('open'),
  },
  cpu_seconds: {
    mcprun: r1(mcprunCpuS),
    servers: r1(sum('cpuS')),
    mcprun_ms_per_connection: Math.round((mcprunCpuS * 1000 * 100) / Math.max(1, opened)) / 100,
    note: 'each connection: connect, ping, close; mcprun includes its coordinator and bundling',
  },
  servers_rss_mb: end.map((s) => Math.round(s.rss / 2 ** 20)),
};
const heap = report.memory_per_vu.heap_bytes.max;
const rss = report.memory_per_vu.rss_bytes.max;
report.verdict = {
  [`held ${N} concurrent, 0 failed`]: report.concurrent.mcprun_connections_active_max >= N && report.connections.failed === 0 && report.connections.ws_errors === 0,
  'every socket pinged': report.pings.mcprun_ws_ping_count === N && report.pings.servers_saw === N,
  '>= 5,000 new connections/s': report.connections.per_second_servers >= 5000,
  'heap <= 4 KB per VU': heap > 0 && heap <= 4096,
  'RSS <= 10 KB per VU': rss > 0 && rss <= 10240,
  'closed all in < 10 s, none left open': report.close.time_to_close_all_ms_mcprun < 10_000 && report.close.left_open_on_servers === 0 && report.close.closed_by_servers === N,
};
if (a.json) writeFileSync(a.json, JSON.stringify(report, null, 2));
console.log(JSON.stringify(report, null, 2));
if (code !== 0) console.error(`mcprun exited ${code}; its output ends with:\n${out.slice(-3000)}`);
guard.killAll();
process.exit(code === 0 ? 0 : 1);
