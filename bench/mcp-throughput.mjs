// mcp-throughput: calls/s of callTool('echo') from mcprun vs a loop over the official SDK client
// (@modelcontextprotocol/sdk 1.32.2: Client + StreamableHTTPClientTransport), same server, same
// run, same number of sessions (each a sequential loop), alternating A B A B …
//
// Two targets, each a separate process pinned to CPU 1 (clients pinned to CPU 0, as in
// http-throughput):
//   fast         a minimal hand-written stateful JSON server: the client is the bottleneck
//   sdk-v1       the SDK's own stateful server (JSON answers): what most deployed servers run
//
//   node bench/mcp-throughput.mjs                      # DURATION=10 ROUNDS=3 SESSIONS=16
//   DURATION=2 ROUNDS=1 SERVERS=fast node bench/mcp-throughput.mjs --json   # quick (the test suite)
//
// Prints medians and the ratio mcprun / SDK per target; writes bench/results/mcp-throughput.json
// (unless --json, which prints the result as one JSON line instead).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fmt, machine, median, MCPRUN, ROOT, runTimed, saveResult, table } from './lib.mjs';

const DURATION = Number(process.env.DURATION ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SESSIONS = Number(process.env.SESSIONS ?? 16);
const SERVERS = (process.env.SERVERS ?? 'fast,sdk-v1').split(',');
const JSON_OUT = process.argv.includes('--json');
const cpu = process.env.UNPINNED ? null : 0;

// ---- the SDK side, run as its own pinned process: `node mcp-throughput.mjs --sdk-client URL`
if (process.argv[2] === '--sdk-client') {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const url = new URL(process.argv[3]);
  // The window starts before the sessions connect, as mcprun's does (its VUs connect in their first iteration).
  const t0 = performance.now();
  const end = t0 + DURATION * 1000;
  const clients = await Promise.all(
    Array.from({ length: SESSIONS }, async () => {
      const c = new Client({ name: 'sdk-bench', version: '0.0.1' });
      await c.connect(new StreamableHTTPClientTransport(url));
      return c;
    }),
  );
  const lat = [];
  let errors = 0;
  await Promise.all(
    clients.map(async (c) => {
      // At least one call per session, even when connecting took the whole window (a loaded machine).
      do {
        const s = performance.now();
        try {
          const r = await c.callTool({ name: 'echo', arguments: { message: 'hello' } });
          if (r.isError) errors++;
        } catch {
          errors++;
        }
        lat.push(performance.now() - s);
      } while (performance.now() < end);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))];
  process.stdout.write(JSON.stringify({ calls: lat.length, rps: lat.length / seconds, p50: q(50), p99: q(99), errors }));
  process.exit(0);
}

function startServer(kind) {
  const script = kind === 'fast' ? 'test/fixtures/mcp/fast-server.mjs' : 'test/fixtures/mcp/sdk-v1-server.mjs';
  const pin = cpu === null ? [] : ['taskset', '-c', '1'];
  const argv = [...pin, process.execPath, join(ROOT, script)];
  const child = spawn(argv[0], argv.slice(1), { env: { ...process.env, MODE: 'stateful', JSON_RESPONSE: '1', PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`${kind} server exited (${code})`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /MCPRUN_LISTENING (\d+)/.exec(out);
      if (m) {
        child.removeAllListeners('exit');
        resolve({
          url: `http://127.0.0.1:${m[1]}/mcp`,
          stop: () => new Promise((r) => {
            child.once('exit', r);
            child.kill('SIGTERM');
          }),
        });
      }
    });
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'mcprun-bench-mcp-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

async function mcprun(url, round) {
  const out = join(tmp, `mcprun-${round}-${Date.now()}.json`);
  const r = await runTimed(process.execPath, [MCPRUN, join(ROOT, 'bench/scenarios/mcp-throughput.ts'), '--workers', '1', '--quiet', '--summary-export', out, '-e', `TARGET=${url}`, '-e', `VUS=${SESSIONS}`, '-e', `DURATION=${DURATION}s`], { cpu });
  if (r.code !== 0) throw new Error(`mcprun failed (${r.code}): ${r.stderr}`);
  const s = JSON.parse(readFileSync(out, 'utf8'));
  const calls = s.metrics.mcp_reqs.values.count - SESSIONS; // minus one initialize per session
  const secs = s.state.testRunDurationMs / 1000;
  const d = s.metrics.mcp_req_duration.values;
  return { calls, rps: calls / secs, p50: d.med, p99: d['p(99)'], errors: s.metrics.mcp_req_failed.values.passes, cpu: r.cpuSeconds };
}

async function sdk(url) {
  const r = await runTimed(process.execPath, [join(ROOT, 'bench/mcp-throughput.mjs'), '--sdk-client', url], { cpu, env: { SESSIONS: String(SESSIONS), DURATION: String(DURATION) } });
  if (r.code !== 0) throw new Error(`SDK client failed (${r.code}): ${r.stderr}`);
  return { ...JSON.parse(r.stdout), cpu: r.cpuSeconds };
}

const results = {};
for (const kind of SERVERS) {
  const server = await startServer(kind);
  const runs = { mcprun: [], sdk: [] };
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, fn] of [['mcprun', mcprun], ['sdk', sdk]]) {
        const r = await fn(server.url, round);
        runs[name].push(r);
        process.stderr.write(`${kind} round ${round} ${name}: ${fmt(r.rps)} calls/s, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, errors ${r.errors}\n`);
      }
    }
  } finally {
    await server.stop();
  }
  const med = (name, k) => median(runs[name].map((r) => r[k]));
  results[kind] = {
    mcprun: { rps: med('mcprun', 'rps'), p50: med('mcprun', 'p50'), p99: med('mcprun', 'p99'), errors: runs.mcprun.reduce((a, r) => a + r.errors, 0) },
    sdk: { rps: med('sdk', 'rps'), p50: med('sdk', 'p50'), p99: med('sdk', 'p99'), errors: runs.sdk.reduce((a, r) => a + r.errors, 0) },
  };
  results[kind].ratio = results[kind].mcprun.rps / results[kind].sdk.rps;
}

const data = { duration: DURATION, rounds: ROUNDS, sessions: SESSIONS, pinned: cpu !== null, results };
if (JSON_OUT) {
  process.stdout.write(`${JSON.stringify({ machine: machine(), ...data })}\n`);
} else {
  const rows = [];
  for (const [kind, r] of Object.entries(results)) {
    for (const name of ['mcprun', 'sdk']) rows.push({ server: kind, client: name === 'sdk' ? 'official SDK client' : 'mcprun', 'calls/s': fmt(r[name].rps), 'p50 ms': fmt(r[name].p50, 2), 'p99 ms': fmt(r[name].p99, 2), errors: r[name].errors });
    rows.push({ server: kind, client: 'ratio mcprun / SDK', 'calls/s': `${fmt(r.ratio, 2)}x`, 'p50 ms': '', 'p99 ms': '', errors: '' });
  }
  console.log(`\nmcp-throughput: ${SESSIONS} sessions, ${DURATION}s × ${ROUNDS} rounds, medians (${machine()})\n`);
  console.log(table(rows));
  console.log(`\nwrote ${saveResult('mcp-throughput', data)}`);
}
