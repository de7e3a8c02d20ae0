/**
 * --dashboard from real runs: the page in headless Chromium with every request outside the
 * dashboard refused (no network), its req/s chart growing a point a second; pause, resume and stop
 * from the page, rescales from the REST API (the arrival-rate one also where there is no
 * Chromium, so that figure is never skipped); the ground truth is the test server's own count of
 * requests (per second) and of open connections. Beyond loopback, requests without the token are
 * refused and change nothing. --dashboard-open starts the opener named by BROWSER (a stand-in
 * script that records the URL it was given); with --linger, one Ctrl-C (a real SIGINT) ends the
 * lingering process with the run's exit code, its files already written.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { startCountingServer } from '../support/http-server.js';
import { until } from '../support/processes.js';
import { ROOT, runCli, type CliRun } from '../support/run-cli.js';
import { startServerProcess } from '../support/server-process.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const ARTIFACTS = join(ROOT, 'test/artifacts');
const tmp = mkdtempSync(join(tmpdir(), 'mcprun-dashboard-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
mkdirSync(ARTIFACTS, { recursive: true });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A run a failed test left going: Ctrl-C first (it removes its temporary bundle), SIGKILL only if it does not end. */
async function endRun(run: CliRun): Promise<void> {
  let ended = false;
  void run.then(() => (ended = true));
  await sleep(0);
  if (ended) return;
  run.kill('SIGINT');
  run.kill('SIGINT');
  const t = setTimeout(() => run.kill('SIGKILL'), 15_000);
  await run;
  clearTimeout(t);
}

async function dashboardUrl(run: CliRun): Promise<string> {
  await run.waitForOutput(/dashboard at http:\/\/\S+\//);
  return /dashboard at (http:\/\/\S+\/)/.exec(run.output())![1];
}

async function api(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: { ok?: boolean; message?: string; state?: string; scenarios?: Array<{ name: string; value: number | null }> } }> {
  const r = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as never };
}

/** Requests in each whole second from `from` (epoch ms). */
function perSecond(arrivals: number[], from: number, seconds: number): number[] {
  const c = new Array(seconds).fill(0);
  for (const t of arrivals) {
    const i = Math.floor((t - from) / 1000);
    if (i >= 0 && i < seconds) c[i]++;
  }
  return c;
}

/**
 * After a rescale to `rate`/s at `changedAt` (epoch ms, once the PATCH was answered): the server's
 * count in each of the 5 whole seconds after the second in which the change lands. Their mean is
 * within 5 % of `rate`; a single second may lose or gain a few to its neighbour when the machine
 * is loaded (a late timer starts its backlog at once), so each is held to 10 %.
 */
function expectRateFollows(arrivals: number[], changedAt: number, rate: number): void {
  const counts = perSecond(arrivals, changedAt + 1000, 5);
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  const what = `per second after the change to ${rate}/s: ${counts.join(', ')}`;
  expect(Math.abs(mean - rate), what).toBeLessThanOrEqual(rate * 0.05);
  for (const n of counts) expect(Math.abs(n - rate), what).toBeLessThanOrEqual(rate * 0.1);
}

describe.skipIf(!HAS_CHROMIUM)(`the page in headless Chromium${HAS_CHROMIUM ? '' : ` — SKIPPED: ${CHROMIUM} is missing`}`, () => {
  test('no network; req/s gains a point a second; pause holds the server flat, resume goes on at 50/s with no burst; 50 → 100/s follows within 5 %; stop and the final page', { timeout: 120_000 }, async () => {
    const server = await startServerProcess();
    const exportPath = join(tmp, 'steered.json');
    const run = runCli(['test/fixtures/dashboard/rate.ts', '-e', `TARGET=${server.url}`, '-e', 'RATE=50', '-e', 'DURATION=60s', '--dashboard', '--linger', '60s', '--summary-export', exportPath, '--no-progress'], { timeoutMs: 110_000 });
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const url = await dashboardUrl(run);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await browser.newPage({ viewport: { width: 1280, height: 1250 } });
      const left: string[] = [];
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('dialog', (d) => void d.accept());
      // No network: anything not served by mcprun is refused, and noted.
      await page.route('**/*', (route) => {
        const u = route.request().url();
        if (u.startsWith(url) || u.startsWith('data:')) return route.continue();
        left.push(u);
        return route.abort();
      });
      await page.goto(url);
      const points = () => page.$eval('[data-chart="all-rps"]', (n) => Number(n.getAttribute('data-points'))).catch(() => 0);
      await page.waitForSelector('[data-chart="all-rps"][data-points]', { timeout: 20_000 });
      const seen: number[] = [];
      for (let i = 0; i < 6; i++) {
        seen.push(await points());
        await sleep(1000);
      }
      // One interval a second: 5 seconds add 5 points (one late or early at either end).
      expect(seen.at(-1)! - seen[0], `points ${seen.join(', ')}`).toBeGreaterThanOrEqual(4);
      expect(seen.at(-1)! - seen[0], `points ${seen.join(', ')}`).toBeLessThanOrEqual(6);
      for (let i = 2; i < seen.length; i++) expect(seen[i], `points ${seen.join(', ')}`).toBeGreaterThan(seen[i - 2]);

      // Pause from the page: nothing reaches the server while paused.
      await page.click('#btn-pause');
      await page.waitForSelector('html[data-state="paused"]');
      const pausedAt = Date.now();
      await sleep(3500);
      await page.click('#btn-resume');
      await page.waitForSelector('html[data-state="running"]');
      await sleep(5500);
      const arrivals = await server.arrivals();
      expect(arrivals.filter((t) => t > pausedAt + 300 && t < pausedAt + 3500), 'requests while paused').toHaveLength(0);
      // Resume: the first request after the pause starts the plan again at 50/s, with no catch-up burst.
      const resumedAt = arrivals.find((t) => t > pausedAt + 300)!;
      const afterResume = perSecond(arrivals, resumedAt, 5);
      for (const n of afterResume) expect(n, `per second after resume: ${afterResume.join(', ')}`).toBeGreaterThanOrEqual(45);
      for (const n of afterResume) expect(n, `per second after resume: ${afterResume.join(', ')}`).toBeLessThanOrEqual(55);

      // Rescale from the REST API: 50/s → 100/s.
      const r = await api(`${url}api/scenarios/arrivals`, 'PATCH', { rate: 100 });
      expect(r.status, r.json.message).toBe(200);
      const changedAt = Date.now();
      await sleep(3000);
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-live.png') });
      await sleep(3500);
      expectRateFollows(await server.arrivals(), changedAt, 100);

      // Stop from the page: the final summary replaces the live one and stays up (--linger).
      await page.click('#btn-stop');
      await page.waitForSelector('html[data-final="true"]', { timeout: 30_000 });
      expect(await page.textContent('#verdict')).toBe('ABORTED');
      expect(await page.textContent('.verdict-text')).toMatch(/steered: paused 1× \([\d.]+s in all\), 1 rescale — not the plan as written/);
      expect(await page.$$eval('#control tr[data-action]', (trs) => trs.map((t) => t.getAttribute('data-action')))).toEqual(['pause', 'resume', 'rescale', 'stop']);
      expect(await page.textContent('#dash-state')).toBe('finished');
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-finished.png'), fullPage: false });
      expect(errors).toEqual([]);
      expect(left, 'requests that left the dashboard').toEqual([]);
      // Still up while lingering; POST /api/stop ends the linger at once.
      expect((await api(`${url}api/status`, 'GET')).json.state).toBe('finished');
      expect((await api(`${url}api/stop`, 'POST', {})).status).toBe(200);
      const done = await run;
      expect(done.code, done.stderr).toBe(105);
      const summary = JSON.parse(readFileSync(exportPath, 'utf8'));
      expect(summary.mcprun.control.map((e: { action: string }) => e.action)).toEqual(['pause', 'resume', 'rescale', 'stop']);
      expect(summary.mcprun.control[2]).toMatchObject({ scenario: 'arrivals', from: 50, to: 100, unit: 'iterations/timeUnit' });
      expect(summary.metrics.http_reqs.values.count).toBe((await server.arrivals()).length);
      expect(done.stdout).toMatch(/CONTROL \(the run was steered while it ran\)/);
    } finally {
      await browser.close();
      await endRun(run);
      await server.close();
    }
  });
});

describe('REST control', () => {
  test('--paused holds the start; resume starts it; PATCH constant-vus 5 → 20: the server sees 20 connections', { timeout: 90_000 }, async () => {
    const server = await startCountingServer();
    const exportPath = join(tmp, 'vus.json');
    const run = runCli(['test/fixtures/dashboard/vus.ts', '-e', `TARGET=${server.url}`, '-e', 'VUS=5', '-e', 'DURATION=60s', '--dashboard', '--paused', '--summary-export', exportPath, '--no-progress'], { timeoutMs: 80_000 });
    try {
      const url = await dashboardUrl(run);
      await sleep(2000);
      expect(server.requests, 'nothing is sent while --paused holds the start').toHaveLength(0);
      expect((await api(`${url}api/status`, 'GET')).json.state).toBe('paused');
      expect((await api(`${url}api/resume`, 'POST')).status).toBe(200);
      await until(() => server.openConnections === 5 && server.requests.length > 20, 20_000, '5 connections');
      const r = await api(`${url}api/scenarios/steady`, 'PATCH', { vus: 20 });
      expect(r.status, r.json.message).toBe(200);
      await until(() => server.openConnections === 20, 20_000, '20 connections');
      await sleep(1500);
      expect(server.openConnections).toBe(20);
      expect(server.maxOpenConnections).toBe(20);
      // Refusals change nothing: a wrong key, an unknown scenario, a bad value.
      expect((await api(`${url}api/scenarios/steady`, 'PATCH', { rate: 5 })).status).toBe(400);
      expect((await api(`${url}api/scenarios/nope`, 'PATCH', { vus: 5 })).status).toBe(404);
      expect((await api(`${url}api/scenarios/steady`, 'PATCH', { vus: -1 })).status).toBe(400);
      expect((await api(`${url}api/pause`, 'GET')).status).toBe(405);
      expect((await api(`${url}api/stop`, 'POST', {}, { origin: 'http://evil.example' })).status).toBe(403);
      expect((await api(`${url}api/status`, 'GET')).json.state).toBe('running');
      expect((await api(`${url}api/stop`, 'POST')).status).toBe(200);
      const done = await run;
      expect(done.code, done.stderr).toBe(105);
      const summary = JSON.parse(readFileSync(exportPath, 'utf8'));
      expect(summary.mcprun.control.map((e: { action: string; by: string }) => `${e.action}:${e.by}`)).toEqual(['pause:--paused', 'resume:api', 'rescale:api', 'stop:api']);
      expect(summary.mcprun.aborted).toBe('stopped from the dashboard (POST /api/stop)');
      expect(summary.metrics.vus_max.values.value).toBe(20);
      // --paused alone is not steering; the rescale is.
      expect(done.stdout).toMatch(/RESULT ABORTED — stopped from the dashboard \(POST \/api\/stop\); steered: 1 rescale — not the plan as written/);
    } finally {
      await endRun(run);
      await server.close();
    }
  });

  test('PATCH constant-arrival-rate 50 → 100/s (no browser): the per-second count at the server follows within 5 %', { timeout: 60_000 }, async () => {
    const server = await startServerProcess();
    const exportPath = join(tmp, 'rate.json');
    const run = runCli(['test/fixtures/dashboard/rate.ts', '-e', `TARGET=${server.url}`, '-e', 'RATE=50', '-e', 'DURATION=30s', '--dashboard', '--summary-export', exportPath, '--no-progress'], { timeoutMs: 50_000 });
    try {
      const url = await dashboardUrl(run);
      await sleep(4000);
      const r = await api(`${url}api/scenarios/arrivals`, 'PATCH', { rate: 100 });
      expect(r.status, r.json.message).toBe(200);
      const changedAt = Date.now();
      await sleep(6500);
      const arrivals = await server.arrivals();
      // Before: the planned 50/s (the 2 whole seconds before the PATCH, clear of the start).
      const before = perSecond(arrivals, changedAt - 3000, 2);
      for (const n of before) expect(Math.abs(n - 50), `per second before the change: ${before.join(', ')}`).toBeLessThanOrEqual(5);
      expectRateFollows(arrivals, changedAt, 100);
      expect((await api(`${url}api/scenarios/arrivals`, 'PATCH', { vus: 5 })).status, 'an arrival-rate scenario takes a rate').toBe(400);
      expect((await api(`${url}api/stop`, 'POST')).status).toBe(200);
      const done = await run;
      expect(done.code, done.stderr).toBe(105);
      const summary = JSON.parse(readFileSync(exportPath, 'utf8'));
      expect(summary.mcprun.control[0]).toMatchObject({ action: 'rescale', scenario: 'arrivals', from: 50, to: 100, unit: 'iterations/timeUnit' });
      expect(summary.metrics.http_reqs.values.count).toBe((await server.arrivals()).length);
    } finally {
      await endRun(run);
      await server.close();
    }
  });

  test('beyond loopback (0.0.0.0) without the token: 401 for every request, and the run goes on unchanged', { timeout: 60_000 }, async () => {
    const server = await startCountingServer();
    const exportPath = join(tmp, 'token.json');
    const token = 'dashboard-test-token-4242';
    const run = runCli(['test/fixtures/dashboard/vus.ts', '-e', `TARGET=${server.url}`, '-e', 'VUS=2', '-e', 'DURATION=6s', '--dashboard', '0.0.0.0:0', '--summary-export', exportPath, '--no-progress'], {
      env: { MCPRUN_DASHBOARD_TOKEN: token },
      timeoutMs: 50_000,
    });
    try {
      const printed = await dashboardUrl(run);
      expect(printed).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/$/);
      const url = printed.replace('0.0.0.0', '127.0.0.1');
      await until(() => server.requests.length > 10, 20_000, 'load');
      const before = server.requests.length;
      for (const [method, path, body] of [
        ['POST', 'api/pause', {}],
        ['POST', 'api/stop', {}],
        ['PATCH', 'api/scenarios/steady', { vus: 1 }],
        ['GET', 'api/status', undefined],
      ] as const) {
        expect((await api(url + path, method, body)).status, `${method} /${path} without a token`).toBe(401);
        expect((await api(url + path, method, body, { authorization: 'Bearer wrong-token-0000' })).status, `${method} /${path} with a wrong token`).toBe(401);
      }
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(`${url}api/events`)).status).toBe(401);
      // The token opens it.
      const ok = await api(`${url}api/status`, 'GET', undefined, { authorization: `Bearer ${token}` });
      expect(ok.status).toBe(200);
      expect(ok.json.state).toBe('running');
      await sleep(1000);
      expect(server.requests.length, 'the load goes on').toBeGreaterThan(before + 10);
      const done = await run;
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout + done.stderr).not.toContain(token);
      const summary = JSON.parse(readFileSync(exportPath, 'utf8'));
      expect(summary.mcprun.control).toEqual([]);
      expect(summary.mcprun.aborted).toBeNull();
      expect(done.stdout).not.toMatch(/steered/);
    } finally {
      await endRun(run);
      await server.close();
    }
  });

  test('beyond loopback without any token: refused before load (104); --paused without --dashboard too', async () => {
    const server = await startCountingServer();
    try {
      const env = { MCPRUN_DASHBOARD_TOKEN: '' };
      const a = await runCli(['test/fixtures/dashboard/vus.ts', '-e', `TARGET=${server.url}`, '--dashboard', '0.0.0.0:0', '--no-progress'], { env });
      expect(a.code).toBe(104);
      expect(a.stderr).toMatch(/--dashboard 0\.0\.0\.0:0 listens beyond loopback, so it needs a token/);
      const b = await runCli(['test/fixtures/dashboard/vus.ts', '-e', `TARGET=${server.url}`, '--paused', '--no-progress'], { env });
      expect(b.code).toBe(104);
      expect(b.stderr).toMatch(/--paused needs --dashboard/);
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});

describe('opening the page and lingering', () => {
  test('--dashboard-open starts the BROWSER opener with the page URL, and that URL serves the page', { timeout: 60_000 }, async () => {
    const server = await startCountingServer();
    const opened = join(tmp, 'opened.txt');
    const opener = join(tmp, 'opener.sh');
    // A stand-in browser: records its arguments (written whole, then renamed, so a reader never sees half).
    writeFileSync(opener, `#!/bin/sh\nprintf '%s\\n' "$@" > "$OPENED_FILE.part" && mv "$OPENED_FILE.part" "$OPENED_FILE"\n`);
    chmodSync(opener, 0o755);
    const run = runCli(['test/fixtures/dashboard/vus.ts', '-e', `TARGET=${server.url}`, '-e', 'VUS=1', '-e', 'DURATION=60s', '--dashboard', '--dashboard-open', '--no-progress'], {
      env: { BROWSER: opener, OPENED_FILE: opened, DISPLAY: '' },
      timeoutMs: 50_000,
    });
    try {
      const printed = await dashboardUrl(run);
      await until(() => existsSync(opened), 20_000, 'the opener to run');
      const args = readFileSync(opened, 'utf8').trim().split('\n');
      expect(args, 'the opener gets one argument: the printed URL').toEqual([printed]);
      const page = await fetch(args[0]!);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await page.text();
      // The dashboard itself (its control bar and live state), not some other page.
      expect(html).toContain('id="btn-pause"');
      expect(html).toContain('id="dash-state"');
      expect(run.output()).not.toMatch(/--dashboard-open:/);
      expect((await api(`${printed}api/stop`, 'POST')).status).toBe(200);
      expect((await run).code).toBe(105);
    } finally {
      await endRun(run);
      await server.close();
    }
  });

  test('--dashboard-open with BROWSER=none opens nothing and says so; the run is unchanged', { timeout: 60_000 }, async () => {
    const server = await startCountingServer();
    const done = await runCli(['test/fixtures/dashboard/vus.ts', '-e', `TARGET=${server.url}`, '-e', 'VUS=1', '-e', 'DURATION=1s', '--dashboard', '--dashboard-open', '--no-progress'], { env: { BROWSER: 'none' }, timeoutMs: 50_000 });
    try {
      expect(done.code, done.stderr).toBe(0);
      expect(done.stderr).toMatch(/--dashboard-open: BROWSER=none; open the address above in a browser/);
      expect(server.requests.length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  test('--linger 60s: one SIGINT ends the lingering process at once, with the run\'s exit code; the summary was written before', { timeout: 60_000 }, async () => {
    // Every answer is a 500: the threshold http_req_failed rate<1% fails, so the run's code is 99, not 0 or 105.
    const server = await startCountingServer((_q, res) => {
      res.statusCode = 500;
      res.end('no');
    });
    const exportPath = join(tmp, 'linger.json');
    const reportDir = join(tmp, 'linger-reports');
    const run = runCli(['test/fixtures/dashboard/vus.ts', '-e', `TARGET=${server.url}`, '-e', 'VUS=2', '-e', 'DURATION=2s', '--dashboard', '--linger', '60s', '--summary-export', exportPath, '--report-dir', reportDir, '--no-progress'], { timeoutMs: 50_000 });
    try {
      const url = await dashboardUrl(run);
      await run.waitForOutput(/shows the final summary at \S+ for 60s/, 30_000);
      // Lingering: the load is over, the page is up, and every file is on disk already.
      expect((await api(`${url}api/status`, 'GET')).json.state).toBe('finished');
      const summary = JSON.parse(readFileSync(exportPath, 'utf8'));
      expect(summary.metrics.http_reqs.values.count).toBe(server.requests.length);
      expect(summary.metrics.http_req_failed.values.rate).toBe(1);
      const [dir] = (await import('node:fs')).readdirSync(reportDir);
      for (const f of ['summary.json', 'report.html', 'report.md']) expect(existsSync(join(reportDir, dir!, f)), f).toBe(true);
      const requests = server.requests.length;
      const t0 = Date.now();
      run.kill('SIGINT');
      const done = await run;
      const ms = Date.now() - t0;
      expect(done.signal).toBeNull();
      expect(done.code, done.stderr).toBe(99);
      // One Ctrl-C ends the linger: far short of its 60 s (a few seconds on a loaded machine).
      expect(ms, `exit ${ms} ms after SIGINT`).toBeLessThan(5000);
      expect(done.stdout).toMatch(/RESULT FAIL/);
      expect(server.requests.length, 'no load after the end').toBe(requests);
      await expect(fetch(`${url}api/status`)).rejects.toThrow();
    } finally {
      await endRun(run);
      await server.close();
    }
  });

  test('--linger after a load stopped by Ctrl-C: that SIGINT leaves the page up, the next one ends it with 105', { timeout: 60_000 }, async () => {
    const server = await startCountingServer();
    const exportPath = join(tmp, 'linger-stopped.json');
    const run = runCli(['test/fixtures/dashboard/vus.ts', '-e', `TARGET=${server.url}`, '-e', 'VUS=2', '-e', 'DURATION=60s', '--dashboard', '--linger', '60s', '--summary-export', exportPath, '--no-progress'], { timeoutMs: 50_000 });
    let ended = false;
    void run.then(() => (ended = true));
    try {
      const url = await dashboardUrl(run);
      await until(() => server.requests.length > 10, 20_000, 'load');
      run.kill('SIGINT');
      await run.waitForOutput(/shows the final summary at \S+ for 60s/, 30_000);
      const requests = server.requests.length;
      await sleep(1500);
      expect(ended, 'the Ctrl-C that stopped the load does not end the linger').toBe(false);
      expect((await api(`${url}api/status`, 'GET')).json.state).toBe('finished');
      expect(server.requests.length, 'the load is over').toBe(requests);
      expect(JSON.parse(readFileSync(exportPath, 'utf8')).mcprun.aborted).toMatch(/SIGINT|Ctrl-C|signal/i);
      run.kill('SIGINT');
      const done = await run;
      expect(done.code, done.stderr).toBe(105);
    } finally {
      await endRun(run);
      await server.close();
    }
  });
});
