/**
 * What a k6 user relies on every day, end to end: the real CLI against real servers on 127.0.0.1:0,
 * each figure compared with what the server saw.
 */
import { describe, expect, test } from 'vitest';
import { serverForTest } from '../support/http-server.js';
import { readSummary, summaryPath } from '../support/summary.js';
import { runCli } from '../support/run-cli.js';

const fixture = (name: string) => `test/fixtures/k6/${name}`;

describe('scenario env, __VU, __ITER', () => {
  test("a scenario's env reaches __ENV and process.env of its own VUs only; __VU and __ITER as in k6", async () => {
    const s = await serverForTest();
    const out = summaryPath();
    const r = await runCli([fixture('env-vu-iter.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const seen = s.requests.map((q) => Object.fromEntries(new URL(q.url, s.url).searchParams));
    expect(seen).toHaveLength(8);
    const alpha = seen.filter((q) => q.env === 'red');
    const beta = seen.filter((q) => q.env === 'blue');
    expect(alpha).toHaveLength(6);
    expect(beta).toHaveLength(2);
    for (const q of seen) {
      expect(q.penv, 'process.env agrees with __ENV').toBe(q.env);
      expect(q.init, 'init code sees no scenario env and __VU 0').toBe('none/0');
      expect(q.base, '-e values stay visible').toBe('yes');
    }
    expect(alpha.every((q) => q.only === 'no')).toBe(true);
    expect(beta.every((q) => q.only === 'yes')).toBe(true);
    // per-vu-iterations: alpha's VUs are 1 and 2, beta's follows on (3); __ITER counts per VU from 0.
    const iters = (list: typeof seen, vu: string) => list.filter((q) => q.vu === vu).map((q) => q.iter).sort();
    expect(iters(alpha, '1')).toEqual(['0', '1', '2']);
    expect(iters(alpha, '2')).toEqual(['0', '1', '2']);
    expect(iters(beta, '3')).toEqual(['0', '1']);
    expect(readSummary(out).metrics.http_reqs.values.count).toBe(8);
  });
});

/** Bytes the server wrote on every socket it accepted (open or closed): the ground truth of data_received. */
function countBytes(server: import('node:http').Server): () => number {
  const sockets = new Set<import('node:net').Socket>();
  let closed = 0;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => {
      closed += s.bytesWritten;
      sockets.delete(s);
    });
  });
  return () => closed + [...sockets].reduce((n, s) => n + s.bytesWritten, 0);
}

async function listen(handler: import('node:http').RequestListener): Promise<{ url: string; server: import('node:http').Server; written: () => number }> {
  const { createServer } = await import('node:http');
  const { onTestFinished } = await import('vitest');
  const server = createServer(handler);
  const written = countBytes(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server, written };
}

describe('cookies', () => {
  test('a login flow: Set-Cookie goes back on the requests of the same VU, not of another; expired and wrong-path cookies are not sent', async () => {
    const seen: Array<{ path: string; u: string; cookie: string }> = [];
    const reports: Record<string, unknown> = {};
    const s = await listen((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const u = url.searchParams.get('u')!;
      seen.push({ path: url.pathname, u, cookie: req.headers.cookie ?? '' });
      if (url.pathname === '/login') {
        res.writeHead(302, {
          location: `/home?u=${u}`,
          'set-cookie': [`sid=${u}; Path=/; HttpOnly`, 'old=1; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'adm=1; Path=/admin'],
        });
        res.end();
        return;
      }
      if (url.pathname === '/report') {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => ((reports[u] = JSON.parse(body)), res.end('ok')));
        return;
      }
      res.end('ok');
    });
    const r = await runCli([fixture('cookies.ts'), '-e', `TARGET=${s.url}`, '--no-progress', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const cookieOf = (path: string, u: string) => seen.find((q) => q.path === path && q.u === u)?.cookie;
    for (const u of ['u1', 'u2']) {
      expect(cookieOf('/login', u), 'nothing before the login').toBe('');
      expect(cookieOf('/home', u), 'the session, not the expired or /admin cookie').toBe(`sid=${u}`);
      expect(cookieOf('/page', u)).toBe(`sid=${u}`);
      expect(cookieOf('/admin/x', u)?.split('; ').sort()).toEqual(['adm=1', `sid=${u}`]);
      expect(cookieOf('/nojar', u), 'jar: null sends no cookie').toBe('');
      expect(cookieOf('/extra', u), 'per-request cookies over the jar').toBe(`sid=${u}; extra=x`);
      expect(cookieOf('/manual', u)?.split('; ').sort()).toEqual(['manual=m1', `sid=${u}`]);
      expect(reports[u], 'res.cookies and jar.cookiesForURL').toEqual({ res: ['adm', 'old', 'sid'], sid: u, jar: { sid: [u], manual: ['m1'] } });
    }
  });
  test.each([
    ['', 'each iteration starts with an empty jar, as in k6', ''],
    ['1', 'noCookiesReset keeps the jar across iterations', 'sid=1'],
  ])('KEEP=%s: %s', async (keep, _what, second) => {
    const visits: string[] = [];
    const s = await listen((req, res) => {
      if (req.url === '/login') res.setHeader('set-cookie', 'sid=1; Path=/');
      else visits.push(req.headers.cookie ?? '');
      res.end('ok');
    });
    const r = await runCli([fixture('cookies-reset.ts'), '-e', `TARGET=${s.url}`, '-e', `KEEP=${keep}`, '--no-progress', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(visits).toEqual(['', second]);
  });
});

describe('compression', () => {
  test('gzip, deflate and br bodies decode to the original; data_received is the bytes on the wire', async () => {
    const zlib = await import('node:zlib');
    const original = JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item ${i}` })) });
    const encode: Record<string, (b: Buffer) => Buffer> = { gzip: zlib.gzipSync, deflate: zlib.deflateSync, br: zlib.brotliCompressSync };
    const acceptSeen: string[] = [];
    const s = await listen((req, res) => {
      acceptSeen.push(req.headers['accept-encoding'] ?? '');
      const enc = req.url!.slice(1);
      if (encode[enc]) {
        res.writeHead(200, { 'content-encoding': enc, 'content-type': 'application/json' });
        res.end(encode[enc](Buffer.from(original)));
      } else res.end(original);
    });
    const out = summaryPath();
    const r = await runCli([fixture('compression.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const m = readSummary(out).metrics;
    expect(m.checks.values.passes).toBe(9);
    expect(m.checks.values.fails).toBe(0);
    expect(acceptSeen.every((a) => a === 'gzip, deflate, br')).toBe(true);
    expect(acceptSeen).toHaveLength(10);
    // Compressed bodies are far smaller than the original: decoded bytes counted would show.
    expect(m.data_received.values.count).toBe(s.written());
    expect(m.data_received.values.count).toBeLessThan(original.length * 3);
  });
});

describe('responses', () => {
  test('status_text, proto, res.json(selector), expectedStatuses worker-wide and per request', async () => {
    const s = await listen((req, res) => {
      const m = /^\/status\/(\d+)$/.exec(req.url!);
      if (m) {
        res.statusCode = Number(m[1]);
        res.end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ user: { name: 'ada' }, items: [{ id: 1 }, { id: 2 }, { id: 3 }], 'a.b': 'dot' }));
    });
    const out = summaryPath();
    const r = await runCli([fixture('responses.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const m = readSummary(out).metrics;
    expect(m.checks.values.fails, JSON.stringify(m.checks)).toBe(0);
    expect(m.checks.values.passes).toBe(9);
    // 4 requests: /json and the first 404 expected; the 500 and the narrowed 404 failed.
    expect(m.http_req_failed.values.passes).toBe(2);
    expect(m.http_req_failed.values.fails).toBe(2);
  });
});

describe('data files', () => {
  test('open(), a CSV and import.meta.url next to the scenario work when mcprun runs from another folder; sharedData is frozen and built once per worker', async () => {
    const { writeFileSync, mkdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tempDir } = await import('../support/temp.js');
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'users.csv'), 'name,password\nada,"pw,1"\nbob,pw2\n');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ greeting: 'hi' }));
    writeFileSync(join(dir, 'blob.bin'), Buffer.from([0, 1, 2, 255]));
    writeFileSync(
      join(dir, 'scenario.ts'),
      `import { defineScenario, http, open as openData, sharedData, parseCsv } from 'mcprun';
import { readFileSync } from 'node:fs';
export const options = defineScenario({ scenarios: { s: { executor: 'per-vu-iterations', vus: 4, iterations: 1 } } });
let builds = 0;
const users = sharedData('users', () => (builds++, parseCsv(openData('./data/users.csv'))));
const again = sharedData('users', () => (builds++, []));
const config = JSON.parse(open('config.json'));
const blob = new Uint8Array(open('blob.bin', 'b'));
const viaUrl = readFileSync(new URL('./config.json', import.meta.url), 'utf8');
export default async function () {
  const user = users[(__VU - 1) % users.length];
  let frozen = false;
  try { (user as any).name = 'x'; } catch { frozen = true; }
  const q = new URLSearchParams({ user: user.name, password: user.password, greeting: config.greeting, blob: [...blob].join('-'),
    url: JSON.parse(viaUrl).greeting, frozen: String(frozen && Object.isFrozen(users)), builds: String(builds), same: String(again === users), rows: String(users.length) });
  await http.get(__ENV.TARGET + '/?' + q);
}
`,
    );
    const s = await serverForTest();
    const elsewhere = tempDir();
    const r = await runCli([join(dir, 'scenario.ts'), '-e', `TARGET=${s.url}`, '--workers', '2', '--no-progress', '--quiet'], { cwd: elsewhere });
    expect(r.code, r.stderr).toBe(0);
    const seen = s.requests.map((q) => Object.fromEntries(new URL(q.url, s.url).searchParams));
    expect(seen).toHaveLength(4);
    expect(seen.map((q) => q.user).sort()).toEqual(['ada', 'ada', 'bob', 'bob']);
    for (const q of seen) {
      expect(q.password).toBe(q.user === 'ada' ? 'pw,1' : 'pw2');
      expect(q).toMatchObject({ greeting: 'hi', blob: '0-1-2-255', url: 'hi', frozen: 'true', builds: '1', same: 'true', rows: '2' });
    }
  });
});

describe('HTTP/2', () => {
  async function h2Server(opts: { tls: boolean; allowHTTP1?: boolean }) {
    const http2 = await import('node:http2');
    const { execFileSync } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tempDir } = await import('../support/temp.js');
    const { onTestFinished } = await import('vitest');
    let cert = '';
    let key = '';
    if (opts.tls) {
      const dir = tempDir();
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir, stdio: 'pipe' });
      cert = readFileSync(join(dir, 'c.pem'), 'utf8');
      key = readFileSync(join(dir, 'k.pem'), 'utf8');
    }
    const state = { sessions: 0, streams: 0, maxConcurrent: 0, open: 0, bytesSent: 0 };
    const handler = (req: import('node:http2').Http2ServerRequest, res: import('node:http2').Http2ServerResponse) => {
      state.streams++;
      state.open++;
      state.maxConcurrent = Math.max(state.maxConcurrent, state.open);
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () =>
        // Held a little, so the batch's streams are open together.
        setTimeout(() => {
          state.open--;
          res.end(req.url === '/echo' ? `echo:${body}` : `path ${req.url}`);
        }, 30),
      );
    };
    const server = opts.tls ? http2.createSecureServer({ cert, key, allowHTTP1: opts.allowHTTP1 ?? false }, handler) : http2.createServer(handler);
    server.on('session', () => state.sessions++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
    return { url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as { port: number }).port}`, state };
  }

  test("an h2-only TLS server (allowHTTP1: false) answers with proto HTTP/2.0; one VU's concurrent requests share one connection", async () => {
    const s = await h2Server({ tls: true });
    const out = summaryPath();
    const r = await runCli([fixture('h2.ts'), '-e', `TARGET=${s.url}`, '--summary-export', out, '--no-progress', '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const m = readSummary(out).metrics;
    expect(m.checks.values.fails, r.stdout).toBe(0);
    expect(m.http_reqs.values.count).toBe(16);
    expect(s.state.streams).toBe(16);
    expect(s.state.sessions, 'one connection per VU').toBe(2);
    expect(s.state.maxConcurrent, 'streams multiplexed').toBeGreaterThanOrEqual(4);
    expect(m.http_req_tls_handshaking.values.max).toBeGreaterThan(0);
    expect(m.http_req_connecting.values.max).toBeGreaterThan(0);
    expect(m.http_req_waiting.values.min).toBeGreaterThanOrEqual(25);
    expect(m.http_req_failed.values.passes).toBe(0);
    expect(m.data_received.values.count).toBeGreaterThan(0);
  });

  test('options.http.http2: false offers only HTTP/1.1, which an h2-only server refuses; an HTTP/1.1-capable server answers HTTP/1.1', async () => {
    const s = await h2Server({ tls: true });
    const out = summaryPath();
    const r = await runCli([fixture('h2.ts'), '-e', `TARGET=${s.url}`, '-e', 'NO_H2=1', '--summary-export', out, '--no-progress', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(readSummary(out).metrics.http_req_failed.values.passes).toBe(16);
    expect(s.state.streams).toBe(0);
    const both = await h2Server({ tls: true, allowHTTP1: true });
    const out2 = summaryPath();
    const r2 = await runCli([fixture('h2.ts'), '-e', `TARGET=${both.url}`, '-e', 'NO_H2=1', '-e', 'PROTO=HTTP/1.1', '--summary-export', out2, '--no-progress', '--quiet']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(readSummary(out2).metrics.checks.values.fails).toBe(0);
  });

  test('h2c prior knowledge on a plain http:// server', async () => {
    const s = await h2Server({ tls: false });
    const out = summaryPath();
    const r = await runCli([fixture('h2.ts'), '-e', `TARGET=${s.url}`, '-e', 'H2C=1', '--summary-export', out, '--no-progress', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const m = readSummary(out).metrics;
    expect(m.checks.values.fails).toBe(0);
    expect(s.state.sessions).toBe(2);
    expect(s.state.streams).toBe(16);
  });
});
