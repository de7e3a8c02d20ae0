/** Prometheus exposition of the live aggregate, read back with a strict text-format parser. */
import { describe, expect, test } from 'vitest';
import { MetricAggregate } from '../../../runtime/metrics/aggregate.js';
import { MetricRegistry } from '../../../runtime/metrics/registry.js';
import { WorkerMetricStore } from '../../../runtime/metrics/worker-store.js';
import { parseMetricsAddr, renderPrometheus } from '../../../runtime/output/prometheus.js';
import { parsePrometheus } from './parsers.js';

function aggregate() {
  const reg = new MetricRegistry();
  reg.define({ name: 'queue_depth', type: 'gauge', contains: 'default' });
  reg.define({ name: 'payload_size', type: 'trend', contains: 'default' });
  reg.define({ name: 'mcprun_heap_per_vu', type: 'gauge', contains: 'data' });
  const agg = new MetricAggregate((n) => reg.get(n));
  const stores = [new WorkerMetricStore(reg), new WorkerMetricStore(reg)];
  for (const [w, s] of stores.entries()) {
    for (let i = 1; i <= 100; i++) {
      const tags = { scenario: 'main', status: i % 10 ? '200' : '500', url: 'http://h/a?"x"\\y\nz', 'weird-tag': 'v' };
      s.add('http_reqs', 1, tags);
      s.add('http_req_failed', i % 10 ? 0 : 1, tags);
      s.add('http_req_duration', i, tags);
      s.add('data_received', 100, { scenario: 'main' });
    }
    s.add('vus', 5, {});
    s.add('queue_depth', 7 + w, {});
    s.add('payload_size', 1000, {});
    s.add('mcprun_heap_per_vu', 2048, {});
    agg.merge(w, { ...s.snapshot(), at: 1000 + w });
  }
  return { agg, reg };
}

describe('renderPrometheus', () => {
  test('parses as text format 0.0.4 with the right types, names and values', () => {
    const { agg, reg } = aggregate();
    const fams = parsePrometheus(renderPrometheus(agg, (n) => reg.get(n), { version: '1.2.3', script: 's.ts', elapsedSeconds: 4.5 }));
    const type = (n: string) => fams.get(n)?.type;
    expect(type('mcprun_http_reqs_total')).toBe('counter');
    expect(type('mcprun_data_received_bytes_total')).toBe('counter');
    expect(type('mcprun_vus')).toBe('gauge');
    expect(type('mcprun_http_req_failed_rate')).toBe('gauge');
    expect(type('mcprun_http_req_failed_passes_total')).toBe('counter');
    expect(type('mcprun_http_req_duration_seconds')).toBe('summary');
    expect(type('mcprun_payload_size')).toBe('summary');
    expect(type('mcprun_heap_per_vu_bytes'), 'no mcprun_mcprun_ prefix; data in bytes').toBe('gauge');
    const sum = (n: string, filter: Record<string, string> = {}) =>
      fams
        .get(n)!
        .samples.filter((s) => Object.entries(filter).every(([k, v]) => s.labels[k] === v))
        .reduce((a, s) => a + s.value, 0);
    expect(sum('mcprun_http_reqs_total')).toBe(200);
    expect(sum('mcprun_http_reqs_total', { status: '500' })).toBe(20);
    expect(sum('mcprun_http_req_failed_passes_total')).toBe(20);
    expect(sum('mcprun_data_received_bytes_total')).toBe(20_000);
    expect(sum('mcprun_vus')).toBe(10);
    expect(sum('mcprun_elapsed_seconds')).toBe(4.5);
    // Time trends in seconds; the label values round-trip through escaping.
    const d = fams.get('mcprun_http_req_duration_seconds')!.samples;
    const p99 = d.find((s) => s.labels.status === '200' && s.labels.quantile === '0.99')!;
    expect(p99.value).toBeCloseTo(0.099, 3);
    expect(p99.labels.url).toBe('http://h/a?"x"\\y\nz');
    expect(p99.labels.weird_tag).toBe('v');
    const count = d.find((s) => s.name.endsWith('_count') && s.labels.status === '200')!;
    expect(count.value).toBe(180);
    const info = fams.get('mcprun_info')!.samples[0];
    expect(info.labels).toEqual({ script: 's.ts', version: '1.2.3' });
  });

  test('an empty aggregate is still valid exposition', () => {
    const reg = new MetricRegistry();
    const fams = parsePrometheus(renderPrometheus(new MetricAggregate((n) => reg.get(n)), (n) => reg.get(n), { version: 'x', script: 'y', elapsedSeconds: 0 }));
    expect([...fams.keys()]).toEqual(['mcprun_info', 'mcprun_elapsed_seconds']);
  });
});

describe('series cap', () => {
  test('past 1,000 series a metric shows 999 and one overflow series whose counts, sums and histogram are the rest, exactly', () => {
    const reg = new MetricRegistry();
    const store = new WorkerMetricStore(reg);
    // Ground truth: 1,200 URLs, URL k requested k+1 times taking k+1 ms.
    for (let k = 0; k < 1200; k++) for (let i = 0; i <= k % 3; i++) {
      store.add('http_reqs', 1, { url: `http://h/${k}` });
      store.add('http_req_duration', k + 1, { url: `http://h/${k}` });
    }
    const agg = new MetricAggregate((n) => reg.get(n));
    agg.merge(0, store.snapshot());
    const capped: string[] = [];
    const fams = parsePrometheus(renderPrometheus(agg, (n) => reg.get(n), { version: 'x', script: 'y', elapsedSeconds: 1 }, (m, n) => capped.push(`${m}:${n}`)));
    expect(capped.sort()).toEqual(['http_req_duration:1200', 'http_reqs:1200']);
    const reqs = fams.get('mcprun_http_reqs_total')!.samples;
    expect(reqs).toHaveLength(1000);
    const expected = Array.from({ length: 1200 }, (_, k) => (k % 3) + 1);
    expect(reqs.reduce((a, x) => a + x.value, 0)).toBe(expected.reduce((a, b) => a + b, 0));
    const overflow = reqs.filter((x) => x.labels.mcprun_overflow === 'true');
    expect(overflow.map((x) => x.value)).toEqual([expected.slice(999).reduce((a, b) => a + b, 0)]);
    const durCount = fams.get('mcprun_http_req_duration_seconds')!.samples.filter((x) => x.name.endsWith('_count') && x.labels.mcprun_overflow === 'true');
    expect(durCount.map((x) => x.value)).toEqual(overflow.map((x) => x.value));
    // The overflow's p(99) is of its own values (URLs 999..1199 took 1000..1200 ms): within HDR precision.
    const p99 = fams.get('mcprun_http_req_duration_seconds')!.samples.find((x) => x.labels.mcprun_overflow === 'true' && x.labels.quantile === '0.99')!;
    expect(p99.value).toBeGreaterThan(1.19);
    expect(p99.value).toBeLessThan(1.21);
  });
});

describe('--metrics-addr', () => {
  test.each([
    ['9464', { host: '127.0.0.1', port: 9464 }],
    [':0', { host: '127.0.0.1', port: 0 }],
    ['0.0.0.0:9464', { host: '0.0.0.0', port: 9464 }],
    ['localhost:1', { host: 'localhost', port: 1 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
  ])('%s', (addr, want) => {
    expect(parseMetricsAddr(addr)).toEqual(want);
  });

  test('bad addresses say what to write', () => {
    expect(() => parseMetricsAddr('127.0.0.1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid --metrics-addr "127.0.0.1": expected HOST:PORT, e.g. --metrics-addr 127.0.0.1:9464 (or :9464, or 0.0.0.0:9464 to listen on every interface).]`,
    );
    expect(() => parseMetricsAddr('host:70000')).toThrow(/port 70000 is not between 0 and 65535/);
  });
});
