// Shared helpers for the benches: nginx target, pinned commands with CPU time, medians, tables.
import { fork, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MCPRUN = join(ROOT, 'dist/cli.mjs');

export function have(cmd) {
  return spawnSync('bash', ['-c', `command -v ${cmd}`]).status === 0;
}

export function ensureDebianPackage(cmd, pkg) {
  if (have(cmd)) return true;
  process.stderr.write(`bench: installing ${pkg} (apt-get)…\n`);
  const r = spawnSync('bash', ['-c', `(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}) >/dev/null 2>&1`]);
  return r.status === 0 && have(cmd);
}

export async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** nginx with one worker, `return 200 "hello world!\n"`, pinned to `cpu`. */
export async function startNginx(cpu = 1, workers = 1) {
  const dir = mkdtempSync(join(tmpdir(), 'mcprun-nginx-'));
  const port = await freePort();
  mkdirSync(join(dir, 'logs'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes ${workers};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log crit;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / { default_type text/plain; return 200 "hello world!\\n"; }
  }
}
`,
  );
  const child = spawn('taskset', ['-c', String(cpu), 'nginx', '-p', `${dir}/`, '-c', `${dir}/nginx.conf`], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const ok = await fetchOk(`http://127.0.0.1:${port}/`);
    if (ok) break;
  }
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: async () => {
      child.kill('SIGQUIT');
      await new Promise((r) => child.once('exit', r));
      // Its config, pid file and temp paths: nothing of a bench is left in the temp folder.
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function fetchOk(url) {
  // Not on a hot path: one probe while nginx starts.
  try {
    const r = await fetch(url);
    return r.ok;
  } catch {
    return false;
  }
}

/** Runs a command pinned to `cpu` (or unpinned when cpu is null); returns stdout, stderr and its user+sys CPU seconds. */
export function runTimed(cmd, args, { cpu = 0, env = {}, timeoutMs = 120_000 } = {}) {
  const pin = cpu === null ? '' : `taskset -c ${cpu} `;
  const quoted = [cmd, ...args].map((a) => `'${String(a).replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `TIMEFORMAT='__CPU__ %U %S'; time ${pin}${quoted}`], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      const m = /__CPU__ ([\d.]+) ([\d.]+)/.exec(stderr);
      resolve({ code, stdout, stderr: stderr.replace(/__CPU__.*\n?/, ''), cpuSeconds: m ? Number(m[1]) + Number(m[2]) : NaN });
    });
  });
}

export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function table(rows) {
  const cols = Object.keys(rows[0]);
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals) => `| ${vals.map((v, i) => String(v).padEnd(w[i])).join(' | ')} |`;
  return [line(cols), `| ${w.map((x) => '-'.repeat(x)).join(' | ')} |`, ...rows.map((r) => line(cols.map((c) => r[c])))].join('\n');
}

export function machine() {
  const c = cpus();
  return `${c.length} × ${c[0]?.model ?? 'cpu'}, Node ${process.version}`;
}

export function saveResult(name, data) {
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, 'bench/results', `${name}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), machine: machine(), ...data }, null, 2));
  return file;
}

export function fmt(n, d = 0) {
  return Number.isFinite(n) ? n.toFixed(d) : 'n/a';
}

/**
 * Children of a bench, killed by pid (SIGKILL) at --timeout, on Ctrl-C, or by killAll(). `done`
 * is set once the bench no longer needs them, so a child exiting then is no error.
 */
export function childGuard(label, timeoutS) {
  const g = {
    children: [],
    done: false,
    killAll() {
      for (const c of g.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    },
    /** The bench is finished with its children: no deadline, and their exits are expected. */
    finish() {
      g.done = true;
      clearTimeout(deadline);
    },
  };
  const deadline = setTimeout(() => {
    console.error(`${label}: --timeout ${timeoutS}s reached; killing mcprun and the servers.`);
    g.killAll();
    process.exit(3);
  }, timeoutS * 1000);
  process.on('SIGINT', () => {
    g.killAll();
    process.exit(130);
  });
  return g;
}

/**
 * `count` forked servers that print { type: 'listening', port } and answer { type: 'stats' } over
 * IPC (bench/ws-echo-server.mjs, bench/mcp-lean-server.mjs); each is { child, port, ask() }.
 */
export function forkStatServers(script, count, guard, execArgv = []) {
  return Promise.all(
    Array.from({ length: count }, () =>
      new Promise((resolve, reject) => {
        const c = fork(script, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        guard.children.push(c);
        const pending = [];
        c.on('message', (m) => {
          if (m.type === 'listening') resolve({ child: c, port: m.port, ask: () => new Promise((r) => (pending.push(r), c.send({ type: 'stats' }))) });
          if (m.type === 'stats') pending.shift()?.(m.stats);
        });
        c.once('exit', (code) => (guard.done ? undefined : reject(new Error(`a server exited early (code ${code})`))));
      }),
    ),
  );
}
