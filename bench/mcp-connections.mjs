#!/usr/bin/env node
// bench/mcp-connections: how many concurrent MCP sessions (Streamable HTTP) one `mcprun` command
// holds, each calling a tool, how fast it opens them, and what each costs the generator.
//
//   node bench/mcp-connections.mjs --n 100000 --rate 3000 --era legacy     (defaults below; all 127.x)
//
// 1. Forks --servers lean MCP servers (bench/mcp-lean-server.mjs) on 127.0.0.1:0. The open-file
//    limit is per process (20,000 here), so 100K sessions need at least 6 server processes, and
//    --pool processes with at least 6 workers on the mcprun side.
// 2. Per era (--era legacy, modern or both): runs `mcprun bench/mcp-connections-scenario.ts --pool
//    processes --workers W --local-ips ...`: ramp to N sessions at R/s (each a TCP connect,
//    `initialize` and `notifications/initialized` in the legacy era; the first call's connection
//    in the stateless modern era), hold, a tools/call every P seconds per session, close all at
//    the same moment (DELETE in the legacy era).
// 3. Reports: held sessions (mcprun's mcp_sessions_active and connections_active, the servers' own
//    counts), failures, sessions/s, heap and RSS per session (the workers' mcprun_heap_per_vu /
//    mcprun_rss_per_vu gauges, and the process tree's RSS from /proc at the hold), call p50/p99,
//    time to close all, DELETEs seen by the servers, sockets left open.
// Stops by itself: every child is killed by pid after --timeout seconds.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { childGuard, forkStatServers } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'dist/cli.mjs');
const SERVER = join(ROOT, 'bench/mcp-lean-server.mjs');
const SCENARIO = join(ROOT, 'bench/mcp-connections-scenario.ts');
const FD_PER_SERVER = 18_000;

const { values: a } = parseArgs({
  options: {
    n: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '1000' },
    hold: { type: 'string', default: '10' },
    period: { type: 'string', default: '5' },
    era: { type: 'string', default: 'both' },
    'max-handshakes': { type: 'string', default: '256' },
    servers: { type: 'string' },
    workers: { type: 'string' },
    pool: { type: 'string', default: 'processes' },
    'local-ips': { type: 'string', default: '127.0.0.2-127.0.0.33' },
    timeout: { type: 'string', default: '600' },
    json: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    'node-args': { type: 'string', default: '' },
  },
});
const N = Number(a.n);
const RATE = Number(a.rate);
const SERVERS = Number(a.servers ?? Math.max(1, Math.ceil(N / FD_PER_SERVER)));
const WORKERS = Number(a.workers ?? Math.max(availableParallelism(), Math.ceil(N / FD_PER_SERVER)));
const ERAS = a.era === 'both' ? ['legacy', 'modern'] : [a.era];
const log = (...x) => a.quiet || console.error('[bench/mcp-connections]', ...x);
if (!existsSync(BIN)) {
  console.error('bench/mcp-connections: dist/ is missing; run `npm run build` first.');
  process.exit(2);
}
if (!ERAS.every((e) => e === 'legacy' || e === 'modern')) {
  console.error(`bench/mcp-connections: --era ${a.era}: expected legacy, modern or both.`);
  process.exit(2);
}

const guard = childGuard('bench/mcp-connections', Number(a.timeout));

/** RSS (bytes) of `pid` and all its descendants, from /proc. */
function treeRss(pid) {
  const kids = new Map();
  let rss = 0;
  const rssOf = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(f[1]);
      rssOf.set(Number(d), Number(f[21]) * 4096);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    rss += rssOf.get(p) ?? 0;
    for (const k of kids.get(p) ?? []) stack.push(k);
  }
  return rss;
}

// 1. Servers.
const servers = await forkStatServers(SERVER, SERVERS, guard);
const stats = () => Promise.all(servers.map((s) => s.ask()));
const targets = servers.map((s) => `http://127.0.0.1:${s.port}/mcp`).join(',');
log(`${SERVERS} lean MCP servers on ports ${servers.map((s) => s.port).join(', ')}; ${WORKERS} mcprun workers (--pool ${a.pool}); N=${N} at ${RATE}/s; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

const r1 = (x) => Math.round(x * 10) / 10;
const sumOf = (list, k) => list.reduce((t, s) => t + s[k], 0);

async function runEra(era) {
  for (const s of servers) s.child.send({ type: 'reset-times' });
  const before = await stats();
  let sampledOpen = 0;
  let sampledSessions = 0;
  let treeRssMax = 0;
  let mcprunPid = 0;
  const sampler = setInterval(async () => {
    const ss = await stats();
    sampledOpen = Math.max(sampledOpen, sumOf(ss, 'open'));
    sampledSessions = Math.max(sampledSessions, sumOf(ss, 'sessions'));
    if (mcprunPid) treeRssMax = Math.max(treeRssMax, treeRss(mcprunPid));
  }, 500);

  const dir = mkdtempSync(join(tmpdir(), 'mcprun-bench-mcpconn-'));
  const summaryPath = join(dir, 'summary.json');
  const args = [
    BIN, SCENARIO,
    '--workers', String(WORKERS),
    '--pool', a.pool,
    '--summary-export', summaryPath,
    '--no-progress',
    '-e', `N=${N}`,
    '-e', `RATE=${RATE}`,
    '-e', `HOLD_S=${a.hold}`,
    '-e', `PERIOD_S=${a.period}`,
    '-e', `ERA=${era}`,
    '-e', `WORKERS=${WORKERS}`,
    '-e', `MAX_HANDSHAKES=${a['max-handshakes']}`,
    '-e', `TARGETS=${targets}`,
  ];
  if (a['local-ips'] && a['local-ips'] !== 'none') args.push('--local-ips', a['local-ips']);
  const cmd = `mcprun ${args.slice(1).map((x) => (x.includes(',') || x.includes('=') ? `'${x}'` : x)).join(' ')}`.replace(ROOT + '/', '');
  log(`era ${era}: ${cmd}`);
  const t0 = Date.now();
  const mcprun = spawn(process.execPath, [...a['node-args'].split(' ').filter(Boolean), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  guard.children.push(mcprun);
  mcprunPid = mcprun.pid;
  let out = '';
  mcprun.stdout.on('data', (d) => (out += d));
  mcprun.stderr.on('data', (d) => (out += d));
  const code = await new Promise((r) => mcprun.on('exit', (c, sig) => r(c ?? sig)));
  const wallS = (Date.now() - t0) / 1000;
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 500));
  const end = await stats();
  let summary;
  try {
    summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
  } catch {
    console.error(`bench/mcp-connections: mcprun exited ${code} without a summary:\n${out.slice(-4000)}`);
    return { era, exitCode: code, error: 'no summary' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const m = summary.metrics;
  const v = (name, key) => m[name]?.values?.[key] ?? 0;
  const d = (k) => sumOf(end, k) - sumOf(before, k);
  const firstOpen = Math.min(...end.map((s) => s.firstOpenAt || Infinity));
  const lastOpen = Math.max(...end.map((s) => s.lastOpenAt));
  const opened = d('opened');
  const firstDelete = Math.min(...end.map((s) => s.firstDeleteAt || Infinity));
  const lastDelete = Math.max(...end.map((s) => s.lastDeleteAt));
  const rampS = v('bench_ramp_ms', 'max') / 1000;
  const report = {
    era,
    mcprun: cmd,
    exitCode: code,
    wallSeconds: r1(wallS),
    held: {
      mcprun_mcp_sessions: v('mcp_sessions', 'count'),
      mcprun_mcp_sessions_active_max: v('mcp_sessions_active', 'max'),
      mcprun_connections_active_max: v('connections_active', 'max'),
      servers_sessions_sampled_max: era === 'legacy' ? sampledSessions : null,
      servers_connections_sampled_max: sampledOpen,
    },
    failures: {
      mcp_req_failed: v('mcp_req_failed', 'passes'),
      connections_failed: v('connections_failed', 'count'),
      bench_call_failures: v('bench_call_failures', 'count'),
      servers_unknown_session: d('unknownSession'),
      servers_bad_requests: d('badRequests'),
    },
    sessions_per_second: {
      mcprun_slowest_worker: rampS > 0 ? Math.round(N / rampS) : 0,
      servers_first_to_last_accept: Math.round(opened / Math.max(0.001, (lastOpen - firstOpen) / 1000)),
      ramp_seconds_mcprun_slowest_worker: r1(rampS),
      init_ms: { med: r1(v('mcp_session_init_duration', 'med')), p99: r1(v('mcp_session_init_duration', 'p(99)')) },
      dropped_iterations: v('dropped_iterations', 'count'),
      handshake_slot_wait_ms: { med: r1(v('bench_slot_wait_ms', 'med')), p99: r1(v('bench_slot_wait_ms', 'p(99)')) },
    },
    memory_per_session: {
      heap_bytes: { value: v('mcprun_heap_per_vu', 'value'), max: v('mcprun_heap_per_vu', 'max') },
      rss_bytes: { value: v('mcprun_rss_per_vu', 'value'), max: v('mcprun_rss_per_vu', 'max') },
      process_tree_rss_mb_max: Math.round(treeRssMax / 2 ** 20),
      process_tree_rss_bytes_per_session: Math.round(treeRssMax / Math.max(1, N)),
    },
    calls: {
      bench_calls: v('bench_calls', 'count'),
      mcp_reqs: v('mcp_reqs', 'count'),
      servers_saw_tools_call: era === 'legacy' ? d('calls') : d('modernCalls'),
      p50_ms: r1(v('mcp_req_duration', 'med')),
      p99_ms: r1(v('mcp_req_duration', 'p(99)')),
    },
    close: {
      time_to_close_all_ms_mcprun: r1(v('bench_close_ms', 'max')),
      median_close_ms_mcprun: r1(v('bench_close_ms', 'med')),
      servers_deletes: d('deletes'),
      servers_first_to_last_delete_ms: Number.isFinite(firstDelete) ? lastDelete - firstDelete : null,
      servers_sessions_left: era === 'legacy' ? sumOf(end, 'sessions') - sumOf(before, 'sessions') : null,
      left_open_on_servers: sumOf(end, 'open'),
    },
    servers: { initializes: d('initializes'), initialized: d('initialized'), requests: d('requests'), rss_mb: end.map((s) => Math.round(s.rss / 2 ** 20)) },
  };
  const heap = report.memory_per_session.heap_bytes.max;
  const rss = report.memory_per_session.rss_bytes.max;
  const failed = report.failures.mcp_req_failed + report.failures.connections_failed + report.failures.servers_unknown_session;
  report.verdict = {
    [`held ${N} sessions, 0 failed`]: report.held.mcprun_mcp_sessions_active_max >= N && failed === 0,
    'every session called its tool': report.calls.bench_calls >= N && report.calls.servers_saw_tools_call === report.calls.bench_calls,
    '>= 3,000 new sessions/s': report.sessions_per_second.servers_first_to_last_accept >= 3000,
    'heap <= 6 KB per session': heap > 0 && heap <= 6144,
    'RSS <= 12 KB per session': rss > 0 && rss <= 12288,
    ...(era === 'legacy' ? { 'every session closed with DELETE': report.close.servers_deletes === N && report.close.servers_sessions_left === 0 } : {}),
    'none left open': report.close.left_open_on_servers === 0,
  };
  if (code !== 0) console.error(`mcprun exited ${code}; its output ends with:\n${out.slice(-3000)}`);
  return report;
}

const results = [];
for (const era of ERAS) results.push(await runEra(era));
guard.finish();
const serversExited = Promise.all(servers.map((s) => new Promise((r) => (s.child.exitCode !== null ? r() : s.child.once('exit', r)))));
for (const s of servers) s.child.disconnect();
await Promise.race([serversExited, new Promise((r) => setTimeout(r, 3000))]);

const report = {
  command: `node bench/mcp-connections.mjs --n ${N} --rate ${RATE} --hold ${a.hold} --period ${a.period} --era ${a.era} --servers ${SERVERS} --workers ${WORKERS} --local-ips ${a['local-ips']}`,
  target: { n: N, rate: RATE, holdS: Number(a.hold), periodS: Number(a.period), servers: SERVERS, workers: WORKERS, pool: a.pool },
  load_average_at_end: loadavg().map((x) => r1(x)),
  results,
};
if (a.json) writeFileSync(a.json, JSON.stringify(report, null, 2));
console.log(JSON.stringify(report, null, 2));
guard.killAll();
process.exit(results.every((r) => r.exitCode === 0) ? 0 : 1);
