/**
 * The system under test measured beside the load, through real `mcprun` runs: a WebSocket server
 * in its own process holds 64 KiB per connection, 1,000 VUs each hold one connection to it, and
 * mcprun samples the server's PID (options.sut.pid). The server's own per-socket cost is not
 * guessed: the same server holding 0 bytes extra is measured by a second run at the same time,
 * and the expected figure is 64 KiB plus that. Every output of the first run carries the sut_*
 * series: the summary and --summary-export (k6 shape), --out json and csv, the report folder
 * (report.html charts, report.md rows and the per-phase table) and mcprun's own Prometheus
 * endpoint, scraped during the run.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { readSummary } from '../support/summary.js';
import { heldBy, holdingServer, pointsOf, promValue, scrapeUntil, type HoldingReady, type ServerProcess } from '../support/sut-processes.js';

const SCENARIO = 'test/fixtures/sut/holding-scenario.ts';
const CONNECTIONS = 1000;
const HOLD = 64 * 1024;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Polls what the server says it holds until stopped; resolves with the most it held at once. */
function watchHeld(server: ServerProcess<HoldingReady>): { stop(): Promise<number> } {
  let max = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      max = Math.max(max, (await heldBy(server)).connections);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return max;
    },
  };
}

function args(server: ServerProcess<HoldingReady>, extra: string[]): string[] {
  return [SCENARIO, '-e', `SUT_PID=${server.pid}`, '-e', `TARGET=ws://127.0.0.1:${server.ready.ports[0]}`, '-e', `N=${CONNECTIONS}`, '--no-progress', ...extra];
}

describe('sut_memory_per_connection, 1,000 WebSocket connections held by the VUs of a real run', () => {
  test('is 64 KiB plus the server’s own per-socket cost (±15 %), value<2KB fails with exit 99, fds and connections follow, every output has the series', async () => {
    const [holding, bare] = await Promise.all([holdingServer({ WS: 1, HOLD_BYTES: HOLD }), holdingServer({ WS: 1, HOLD_BYTES: 0 })]);
    cleanups.push(() => holding.close(), () => bare.close());
    const dir = mkdtempSync(join(tmpdir(), 'mcprun-sut-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const held = watchHeld(holding);

    const run = runCli(args(holding, ['--summary-export', join(dir, 'summary.json'), '--report-dir', join(dir, 'reports'), '--out', `json=${join(dir, 'ts.json')}`, '--out', `csv=${join(dir, 'ts.csv')}`, '--metrics-addr', '127.0.0.1:0']), { timeoutMs: 100_000 });
    const baseline = runCli(args(bare, ['-e', 'NO_THRESHOLD=1', '--quiet', '--summary-export', join(dir, 'bare.json')]), { timeoutMs: 100_000 });
    // mcprun re-exports the server's figures while the run goes on.
    await run.waitForOutput(/Prometheus metrics at http:\/\/\S+\/metrics/);
    const metricsUrl = /Prometheus metrics at (http:\/\/\S+\/metrics)/.exec(run.output())![1];
    const live = await scrapeUntil(metricsUrl, (body) => promValue(body, 'mcprun_sut_memory_per_connection_bytes') !== undefined, 60_000);
    const [r, b] = await Promise.all([run, baseline]);
    const maxHeld = await held.stop();

    expect(r.code, r.stderr + r.stdout).toBe(99);
    expect(b.code, b.stderr).toBe(0);
    expect(maxHeld).toBe(CONNECTIONS);
    const summary = readSummary(join(dir, 'summary.json'));
    const perSocket = readSummary(join(dir, 'bare.json')).metrics.sut_memory_per_connection.values.value;
    const got = summary.metrics.sut_memory_per_connection.values.value;
    const expected = HOLD + perSocket;
    expect(perSocket).toBeGreaterThan(0);
    expect(perSocket).toBeLessThan(HOLD / 2);
    expect(Math.abs(got - expected) / expected, `got ${got} B, expected ${HOLD} + ${perSocket} B`).toBeLessThanOrEqual(0.15);
    // Measured at the plateau of the connections the server held (counted from /proc, not by mcprun).
    const [plateau] = summary.mcprun.sut.plateaus;
    expect(Math.abs(plateau.connections - plateau.baselineConnections - CONNECTIONS)).toBeLessThanOrEqual(2);
    expect(summary.mcprun.sut.sources).toEqual([`PID ${holding.pid} and its children (/proc)`]);

    // The threshold failed on the measured figure, and says so.
    expect(summary.mcprun.thresholds).toEqual([expect.objectContaining({ metric: 'sut_memory_per_connection', expression: 'value<2KB', ok: false, actual: got })]);
    expect(r.stdout).toMatch(/✗ 'value<2KB' value=\d+(\.\d)? kB/);

    // sut_connections and sut_open_fds follow the held connections: none before, all at the plateau, none after.
    const ts = readFileSync(join(dir, 'ts.json'), 'utf8');
    const connections = pointsOf(ts, 'sut_connections').map((p) => p.value);
    const fds = pointsOf(ts, 'sut_open_fds').map((p) => p.value);
    expect(connections[0]).toBe(0);
    expect(Math.abs(Math.max(...connections) - maxHeld)).toBeLessThanOrEqual(2);
    expect(connections.at(-1)).toBeLessThanOrEqual(2);
    expect(Math.abs(Math.max(...fds) - fds[0] - maxHeld)).toBeLessThanOrEqual(3);
    expect(summary.metrics.sut_connections.values.max).toBe(Math.max(...connections));

    // The k6-shaped summary: sut_rss is a Trend of bytes with every statistic.
    expect(summary.metrics.sut_rss).toMatchObject({ type: 'trend', contains: 'data' });
    expect(Object.keys(summary.metrics.sut_rss.values)).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count']);
    expect(summary.metrics.sut_rss.values.max - summary.metrics.sut_rss.values.min).toBeGreaterThan(CONNECTIONS * HOLD * 0.9);
    expect(summary.metrics.sut_memory_per_connection).toMatchObject({ type: 'gauge', contains: 'data' });

    // Per phase: measured while `hold` held the connections, none in `quiet`.
    expect(summary.mcprun.scenarios.map((s: { name: string; sutMemoryPerConnection: number | null }) => [s.name, s.sutMemoryPerConnection])).toEqual([
      ['hold', got],
      ['quiet', null],
    ]);
    expect(r.stdout).toMatch(/scenario\s+duration.*SUT mem\/conn\s+thresholds/);

    // --out csv, and the report folder: its own time series, report.md rows and phase table, report.html charts.
    expect(readFileSync(join(dir, 'ts.csv'), 'utf8')).toMatch(/^\d+(\.\d+)?,sut_rss,trend,,1,\d+,1,/m);
    const [folder] = readdirSync(join(dir, 'reports'));
    const reports = join(dir, 'reports', folder);
    expect(readFileSync(join(reports, 'timeseries.csv'), 'utf8')).toContain(',sut_memory_per_connection,gauge,');
    const md = readFileSync(join(reports, 'report.md'), 'utf8');
    expect(md).toContain('## System under test');
    expect(md).toMatch(/\| `sut_memory_per_connection` \| \d+(\.\d)? kB \|/);
    expect(md).toMatch(/\| `sut_rss` \| [\d.]+ MB \| [\d.]+ MB \| [\d.]+ MB \| [\d.]+ MB \|/);
    expect(md).toMatch(/\| hold \| per-vu-iterations \|.*\| \d+(\.\d)? kB \| - \|/);
    expect(md).toMatch(/\| quiet \| per-vu-iterations \|.*\| - \| - \|/);
    const html = readFileSync(join(reports, 'report.html'), 'utf8');
    const charts = JSON.parse(/<script type="application\/json" id="mcprun-data">(.*?)<\/script>/s.exec(html)![1]).charts;
    for (const id of ['all-sut-memory', 'all-sut-cpu', 'all-sut-connections', 'all-sut-memory-per-connection']) expect(Object.keys(charts)).toContain(id);
    const rss = charts['all-sut-memory'];
    expect(rss.unit).toBe('bytes');
    expect(Math.max(...rss.series[0].values.filter((v: number | null) => v !== null))).toBe(summary.metrics.sut_rss.values.max);

    // mcprun's Prometheus output re-exported them during the run.
    expect(promValue(live, 'mcprun_sut_memory_per_connection_bytes')).toBeGreaterThan(HOLD);
    expect(promValue(live, 'mcprun_sut_rss_bytes_count')).toBeGreaterThan(0);
    expect(live).toContain('# TYPE mcprun_sut_cpu summary');
  }, 120_000);
});
