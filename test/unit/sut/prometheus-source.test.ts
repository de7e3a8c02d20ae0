// The Prometheus source against real expositions: prom-client's default metrics in a server
// process (compared with /proc for the same PID), series whose rates the server sets, and
// endpoints that refuse, hang or fail for a while.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { McprunError } from '../../../runtime/errors.js';
import { SUT_METRIC } from '../../../runtime/metrics/sut-catalogue.js';
import { ProcSampler } from '../../../runtime/sut/proc-sampler.js';
import { PrometheusSource } from '../../../runtime/sut/prometheus-source.js';
import { checkMetricsUrl, checkSeriesSelections } from '../../../runtime/sut/sut-config.js';
import { SutSampler } from '../../../runtime/sut/sut-sampler.js';
import { collectWarnings, sampleWhere, startFixture } from '../../support/sut-processes.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function promServer() {
  const server = await startFixture<{ port: number }>('prom-server.mjs');
  cleanups.push(() => server.close());
  return { pid: server.pid, url: `http://127.0.0.1:${server.ready.port}/metrics` };
}

async function localServer(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics` };
}

function source(url: string, opts: Partial<ConstructorParameters<typeof PrometheusSource>[0]> = {}): PrometheusSource {
  const s = new PrometheusSource({ url: checkMetricsUrl(url, '--sut-metrics').href, ...opts });
  cleanups.push(() => s.close());
  return s;
}

describe('the Prometheus source', () => {
  test('prom-client’s default metrics: sut_rss equals /proc’s within 5 %; GC and selected series come through', async () => {
    const { pid, url } = await promServer();
    const prom = source(url, {
      series: [
        { name: 'fixture_requests_total', labels: { code: '500' }, as: 'rate' },
        { name: 'fixture_requests_total', as: 'rate', metric: 'sut_all_requests' },
        { name: 'fixture_queue_depth', as: 'gauge' },
      ],
    });
    const proc = new ProcSampler([pid]);
    // /proc just before and just after the scrape: the server's RSS may move while it answers.
    const before = proc.sample().values[SUT_METRIC.rss];
    const first = await prom.scrape();
    const after = proc.sample().values[SUT_METRIC.rss];
    expect(first.warnings).toEqual([]);
    const rss = first.values[SUT_METRIC.rss];
    const nearest = Math.abs(rss - before) < Math.abs(rss - after) ? before : after;
    expect(Math.abs(rss - nearest) / nearest, `exposition ${rss} B, /proc ${before} B then ${after} B`).toBeLessThanOrEqual(0.05);
    expect(first.values[SUT_METRIC.openFds]).toBeGreaterThan(5);
    expect(first.values.sut_fixture_queue_depth).toBe(7);

    await new Promise((r) => setTimeout(r, 1500));
    const second = (await prom.scrape()).values;
    // The server grows the counters by exactly 50/s and 20/s of its own clock.
    expect(second.sut_fixture_requests_total).toBeGreaterThan(50 * 0.95);
    expect(second.sut_fixture_requests_total).toBeLessThan(50 * 1.05);
    expect(second.sut_all_requests).toBeGreaterThan(70 * 0.95);
    expect(second.sut_all_requests).toBeLessThan(70 * 1.05);
    expect(second[SUT_METRIC.cpu]).toBeGreaterThan(0);
    // It makes garbage every 50 ms: collections happened, each well under a second. (The GC
    // series appear with the first collection, so their first rate is at the third scrape.)
    await new Promise((r) => setTimeout(r, 500));
    const third = (await prom.scrape()).values;
    expect(third[SUT_METRIC.gcRate]).toBeGreaterThan(0);
    expect(third[SUT_METRIC.gcPause]).toBeGreaterThan(0);
    expect(third[SUT_METRIC.gcPause]).toBeLessThan(1000);
    expect(third[SUT_METRIC.gcTime]).toBeLessThan(1);
  }, 20_000);

  test('with a PID too, /proc gives the process series and the exposition the rest', async () => {
    const { pid, url } = await promServer();
    const sampler = new SutSampler({ pids: [pid], prometheus: { url }, intervalMs: 400 });
    cleanups.push(() => sampler.stop());
    await sampler.start();
    const s = await sampleWhere(sampler, (x) => x.values[SUT_METRIC.gcRate] !== undefined);
    expect(s.values[SUT_METRIC.connections]).toBe(1); // the one kept-alive scrape connection
    expect(sampler.definitions.map((d) => d.name)).toContain(SUT_METRIC.gcPause);
  });

  test('a metrics URL that does not answer (refused, or silent past the timeout): a warning and a gap, never a throw', async () => {
    const closed = await localServer(() => {});
    closed.server.close();
    await once(closed.server, 'close');
    const refused = await source(closed.url).scrape(1);
    expect(refused.values).toEqual({});
    expect(refused.warnings).toEqual([
      { code: 'sut_scrape_failed', message: expect.stringMatching(new RegExp(`^scraping ${closed.url} failed \\(.*ECONNREFUSED.*\\); its sut_\\* series have a gap until it answers again$`)), time: 1 },
    ]);

    const silent = await localServer(() => {});
    const started = performance.now();
    const timedOut = await source(silent.url, { timeoutMs: 300 }).scrape();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(timedOut.values).toEqual({});
    expect(timedOut.warnings[0].message).toContain('no answer within 300 ms');
  });

  test('failures then answers: one warning when the gap starts, one when it ends, through the sampler’s events', async () => {
    let calls = 0;
    const flaky = await localServer((req, res) => {
      calls++;
      if (calls <= 3) res.writeHead(503).end('busy');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('process_resident_memory_bytes 123456\n');
    });
    const sampler = new SutSampler({ prometheus: { url: flaky.url }, intervalMs: 100 });
    cleanups.push(() => sampler.stop());
    const warnings = collectWarnings(sampler);
    const gaps: number[] = [];
    sampler.on('sample', (s) => Object.keys(s.values).length === 0 && gaps.push(s.time));
    await sampler.start();
    const back = await sampleWhere(sampler, (s) => s.values[SUT_METRIC.rss] === 123456);
    expect(gaps).toHaveLength(3);
    expect(warnings.map((w) => w.code)).toEqual(['sut_scrape_failed', 'sut_scrape_resumed']);
    expect(warnings[0].message).toContain('(HTTP 503)');
    expect(warnings[1].time).toBe(back.time);
  });

  test('URLs and selections are checked before the run (104): loopback unless allowed', () => {
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(McprunError.is(e) && e.exitCode).toBe(104);
        return (e as McprunError).userMessage;
      }
      throw new Error('did not throw');
    };
    expect(checkMetricsUrl('http://[::1]:9464/metrics', 'x').port).toBe('9464');
    expect(checkMetricsUrl('http://10.0.0.5:9464/metrics', 'x', { allowRemote: true }).hostname).toBe('10.0.0.5');
    expect(message(() => checkMetricsUrl('http://10.0.0.5:9464/metrics', '--sut-metrics'))).toBe(
      '--sut-metrics: 10.0.0.5:9464 is not a loopback address; by default mcprun scrapes only this machine. Scrape the server through 127.0.0.1, [::1] or localhost, or allow other hosts explicitly (allowRemote: true).',
    );
    expect(message(() => checkMetricsUrl('127.0.0.1:9464', 'options.sut.prometheus'))).toBe(
      'options.sut.prometheus: "127.0.0.1:9464" is not a URL. Write the full address of the metrics endpoint: http://127.0.0.1:9464/metrics.',
    );
    expect(message(() => checkMetricsUrl('ftp://127.0.0.1/metrics', 'x'))).toMatch(/^x: "ftp:\/\/127.0.0.1\/metrics" is a ftp: URL; metrics are scraped over http or https/);
    expect(message(() => checkMetricsUrl('not a url', 'x'))).toMatch(/is not a URL\. .* e\.g\. http:\/\/127\.0\.0\.1:9464\/metrics/);
    expect(message(() => checkSeriesSelections([{ name: 'a b', as: 'gauge' }], 'options.sut.series'))).toMatch(/^options.sut.series\[0\]: "a b" is not a Prometheus series name/);
    expect(message(() => checkSeriesSelections([{ name: 'x', as: 'sum' as 'rate' }], 's'))).toMatch(/as: "sum" is neither/);
    expect(message(() => checkSeriesSelections([{ name: 'x', as: 'rate', labels: { code: 500 as unknown as string } }], 's'))).toBe(
      's[0]: labels must map label names to strings, got {"code":500}. Write them as { code: "500" }.',
    );
    expect(message(() => checkSeriesSelections([{ name: 'x', as: 'rate', metric: 'x_rate' }], 's'))).toMatch(/does not start with "sut_"/);
    expect(message(() => checkSeriesSelections([{ name: 'x', as: 'rate' }, { name: 'y', as: 'gauge', metric: 'sut_x' }], 's'))).toMatch(/^s\[1\]: a second selection feeds sut_x/);
  });
});
