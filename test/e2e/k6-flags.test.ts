/**
 * k6's everyday flags and their MCPRUN_* variables, end to end: each one changes what the server
 * sees or what the run reports, and the test checks exactly that.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { describe, expect, onTestFinished, test } from 'vitest';
import { readSummary, summaryPath } from '../support/summary.js';
import { runCli } from '../support/run-cli.js';

const FIXTURE = 'test/fixtures/k6/flags.ts';

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
}

async function target(): Promise<{ url: string; seen: Seen[]; paths: () => string[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url!, headers: req.headers });
    const m = /^\/redirect\/(\d+)$/.exec(req.url!);
    if (m && Number(m[1]) > 0) {
      res.writeHead(302, { location: `/redirect/${Number(m[1]) - 1}` });
      res.end();
      return;
    }
    res.setHeader('set-cookie', 'session=topsecret; Path=/');
    res.end('hello body');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen, paths: () => seen.map((s) => s.path) };
}

function run(t: { url: string }, args: string[], env: Record<string, string> = {}) {
  const out = summaryPath();
  const p = runCli([FIXTURE, '-e', `TARGET=${t.url}`, '--no-progress', '--summary-export', out, ...args], { env });
  return p.then((r) => ({ ...r, summary: () => readSummary(out) }));
}

describe('flags', () => {
  test('-u sets the VUs of the default scenario (with -i)', async () => {
    const t = await target();
    const r = await run(t, ['-u', '3', '-i', '6', '--no-thresholds']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary().metrics.vus_max.values.max).toBe(3);
    expect(t.paths().filter((p) => p.startsWith('/main'))).toHaveLength(6);
  });

  test('--no-thresholds: the failing threshold is not judged, exit 0; without it exit 99', async () => {
    const t = await target();
    expect((await run(t, [])).code).toBe(99);
    const r = await run(t, ['--no-thresholds']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary().mcprun.thresholds).toEqual([]);
  });

  test('--no-setup and --no-teardown: the server never sees them, the iteration gets undefined', async () => {
    const t = await target();
    const r = await run(t, ['--no-setup', '--no-teardown', '--no-thresholds']);
    expect(r.code, r.stderr).toBe(0);
    expect(t.paths()).toEqual(['/main?data=none']);
    const t2 = await target();
    await run(t2, ['--no-thresholds']);
    expect(t2.paths()).toEqual(['/setup', '/main?data=setup', '/teardown']);
  });

  test('-q hides the progress but not the summary; --no-summary hides the summary', async () => {
    const t = await target();
    const q = await run(t, ['-q', '--no-thresholds']);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout).toMatch(/http_reqs/);
    const n = await run(t, ['--no-summary', '--no-thresholds']);
    expect(n.code, n.stderr).toBe(0);
    expect(n.stdout).not.toMatch(/http_reqs/);
    expect(n.summary().metrics.http_reqs.values.count, '--summary-export is still written').toBe(3);
  });

  test('--summary-trend-stats picks the trend columns, p(99.9) and count included', async () => {
    const t = await target();
    const r = await run(t, ['--summary-trend-stats', 'avg,p(99.9),count', '--no-thresholds']);
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.includes('http_req_duration'))!;
    expect(line).toMatch(/avg=\S+ p\(99\.9\)=\S+ count=3\s*$/);
    const s = r.summary();
    expect(s.options.summaryTrendStats).toEqual(['avg', 'p(99.9)', 'count']);
    expect(typeof s.metrics.http_req_duration.values['p(99.9)']).toBe('number');
    const bad = await run(t, ['--summary-trend-stats', 'avg,p99x']);
    expect(bad.code).toBe(104);
    expect(bad.stderr).toMatch(/"p99x" is not a trend stat/);
  });

  test('--tag and options.tags tag every sample; --tag wins over the file', async () => {
    const { readFileSync } = await import('node:fs');
    const t = await target();
    const points = summaryPath().replace('summary.json', 'points.ndjson');
    const r = await run(t, ['--tag', 'site=cli', '--tag', 'run=42', '--no-thresholds', '--no-setup', '--no-teardown', '--out', `json=${points},raw`]);
    expect(r.code, r.stderr).toBe(0);
    const reqs = readFileSync(points, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((p) => p.metric === 'http_reqs' && p.data.tags?.scenario === 'main');
    expect(reqs.length).toBeGreaterThan(0);
    for (const p of reqs) expect(p.data.tags).toMatchObject({ team: 'file', site: 'cli', run: '42' });
  });

  test('--user-agent sets the header; the default is mcprun/…', async () => {
    const t = await target();
    await run(t, ['--user-agent', 'k6-migrant/1.0', '--no-thresholds']);
    expect(t.seen.map((s) => s.headers['user-agent'])).toEqual(['k6-migrant/1.0', 'k6-migrant/1.0', 'k6-migrant/1.0']);
    const t2 = await target();
    await run(t2, ['--no-thresholds', '--no-setup', '--no-teardown']);
    expect(t2.seen[0].headers['user-agent']).toMatch(/^mcprun\//);
  });

  test('--max-redirects limits the hops followed', async () => {
    const t = await target();
    const r = await run(t, ['--max-redirects', '1', '--no-thresholds', '--no-setup', '--no-teardown', '-e', 'REDIRECTS=1']);
    expect(r.code, r.stderr).toBe(0);
    expect(t.paths()).toEqual(['/main?data=none', '/redirect/3', '/redirect/2']);
  });

  test('--dns policy=onlyIPv6 finds no address for an IPv4-only name; onlyIPv4 connects; ttl is refused with the reason', async () => {
    const t = await target();
    const local = t.url.replace('127.0.0.1', 'localhost');
    const six = await run({ url: local }, ['--dns', 'policy=onlyIPv6', '--no-thresholds', '--no-setup', '--no-teardown']);
    expect(six.code, six.stderr).toBe(0);
    expect(six.summary().metrics.http_req_failed.values.passes).toBe(1);
    expect(t.seen).toHaveLength(0);
    const four = await run({ url: local }, ['--dns', 'policy=onlyIPv4', '--no-thresholds', '--no-setup', '--no-teardown']);
    expect(four.summary().metrics.http_req_failed.values.passes).toBe(0);
    expect(t.seen).toHaveLength(1);
    const ttl = await run(t, ['--dns', 'ttl=1m']);
    expect(ttl.code).toBe(104);
    expect(ttl.stderr).toMatch(/--dns ttl=1m is not supported/);
  });

  test('--http-debug prints heads with secrets masked; =full adds the bodies', async () => {
    const t = await target();
    const r = await run(t, ['--no-thresholds', '--no-setup', '--no-teardown', '--http-debug']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/GET \/main\?data=none HTTP\/1\.1/);
    expect(r.stderr).toMatch(/authorization: Bearer \*\*\*/);
    expect(r.stderr).toMatch(/set-cookie: session=\*\*\*; Path=\//i);
    expect(r.stderr).toMatch(/HTTP\/1\.1 200 OK/);
    expect(r.stderr).not.toMatch(/s3cr3t|topsecret/);
    expect(r.stderr).not.toMatch(/hello body/);
    const full = await run(t, ['--no-thresholds', '--no-setup', '--no-teardown', '--http-debug=full']);
    expect(full.stderr).toMatch(/hello body/);
    expect(full.stderr).not.toMatch(/s3cr3t|topsecret/);
  });

  test('-h prints the help and exits 0', async () => {
    const r = await runCli(['-h']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/mcprun \[run\] <scenario\.ts>/);
    expect(r.stdout).toMatch(/--summary-trend-stats/);
  });
});

describe('MCPRUN_* variables end to end: CLI > environment > file > defaults', () => {
  test('MCPRUN_VUS and MCPRUN_ITERATIONS replace the file scenarios; a flag wins over its variable; MCPRUN_THRESHOLDS=false beats the file', async () => {
    const t = await target();
    const env = { MCPRUN_VUS: '2', MCPRUN_ITERATIONS: '4', MCPRUN_THRESHOLDS: 'false', MCPRUN_SETUP: 'false', MCPRUN_TEARDOWN: 'false' };
    const r = await run(t, [], env);
    expect(r.code, r.stderr).toBe(0);
    expect(t.paths().filter((p) => p.startsWith('/main'))).toHaveLength(4);
    expect(r.summary().metrics.vus_max.values.max).toBe(2);
    const t2 = await target();
    const r2 = await run(t2, ['-i', '2', '--thresholds'], env);
    expect(r2.code, 'the file threshold judged again').toBe(99);
    expect(t2.paths().filter((p) => p.startsWith('/main'))).toHaveLength(2);
  });
});

describe('TLS', () => {
  /** A CA, a server certificate for 127.0.0.1 and a client certificate, made by openssl for this test. */
  async function pki() {
    const { execFileSync } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tempDir } = await import('../support/temp.js');
    const dir = tempDir();
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=test-ca');
    for (const [name, ext] of [
      ['server', 'subjectAltName=IP:127.0.0.1'],
      ['client', 'extendedKeyUsage=clientAuth'],
    ]) {
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}-cn`);
      execFileSync('sh', ['-c', `printf '%s\\n' '${ext}' > ${name}.ext`], { cwd: dir });
      ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
    }
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return { dir, ca: read('ca.pem'), serverCert: read('server.pem'), serverKey: read('server.key') };
  }

  async function tlsServer(opts: import('node:https').ServerOptions): Promise<{ url: string; clients: string[] }> {
    const { createServer: createHttps } = await import('node:https');
    const clients: string[] = [];
    const server = createHttps(opts, (req, res) => {
      const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
      clients.push(String(peer?.subject?.CN ?? ''));
      res.end('secure');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    onTestFinished(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
    return { url: `https://127.0.0.1:${(server.address() as { port: number }).port}`, clients };
  }

  test('--insecure-skip-tls-verify accepts a certificate no CA of the system signed', async () => {
    const p = await pki();
    const s = await tlsServer({ cert: p.serverCert, key: p.serverKey });
    const strict = await run(s, ['--no-thresholds', '--no-setup', '--no-teardown']);
    expect(strict.summary().metrics.http_req_failed.values.passes, 'verification fails without the flag').toBe(1);
    expect(s.clients).toHaveLength(0);
    const r = await run(s, ['--no-thresholds', '--no-setup', '--no-teardown', '--insecure-skip-tls-verify']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary().metrics.http_req_failed.values.passes).toBe(0);
    expect(s.clients).toHaveLength(1);
  });

  test('options.tlsAuth presents a client certificate to a server that requires one, for its domains only', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const p = await pki();
    const s = await tlsServer({ cert: p.serverCert, key: p.serverKey, ca: p.ca, requestCert: true, rejectUnauthorized: true });
    const scenario = (domains: string) => {
      const file = join(p.dir, `tls-${domains.length}.ts`);
      writeFileSync(
        file,
        `import { defineScenario, http } from 'mcprun';
export const options = defineScenario({
  scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 1 } },
  http: { insecureSkipTLSVerify: true },
  tlsAuth: [{ domains: ${domains}, cert: open('client.pem'), key: open('client.key') }],
});
export default async function () { await http.get(__ENV.TARGET + '/'); }
`,
      );
      return file;
    };
    const summary = summaryPath();
    const ok = await runCli([scenario("['127.0.0.1']"), '-e', `TARGET=${s.url}`, '--no-progress', '--summary-export', summary]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readSummary(summary).metrics.http_req_failed.values.passes).toBe(0);
    expect(s.clients).toEqual(['client-cn']);
    const other = summaryPath();
    const no = await runCli([scenario("['other.example']"), '-e', `TARGET=${s.url}`, '--no-progress', '--summary-export', other]);
    expect(no.code, no.stderr).toBe(0);
    expect(readSummary(other).metrics.http_req_failed.values.passes, 'no certificate for this host: the server refuses').toBe(1);
    expect(s.clients).toEqual(['client-cn']);
  });
});
