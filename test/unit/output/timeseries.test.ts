/**
 * The time series: snapshot deltas from several workers become per-interval points whose counts add
 * up to the run's totals exactly, whatever the timing; memory stays bounded for a 12-hour run.
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { MetricRegistry } from '../../../runtime/metrics/registry.js';
import { WorkerMetricStore, type MetricSnapshot } from '../../../runtime/metrics/worker-store.js';
import { createHistogram, percentileOf, recordScaled } from '../../../runtime/metrics/hdr.js';
import { findSeries, TimeSeries, type ClosedInterval } from '../../../runtime/output/timeseries.js';
import { csvField, csvHeader, csvLines, encodeTags, NdjsonFormatter } from '../../../runtime/output/timeseries-format.js';

const registry = new MetricRegistry();
const def = (n: string) => registry.get(n);

/** A worker's store whose snapshot() is stamped with the time we choose. */
function worker() {
  const store = new WorkerMetricStore(registry);
  return {
    store,
    snap(at: number): MetricSnapshot {
      return { ...store.snapshot(), at };
    },
  };
}

function collect(ts: TimeSeries): ClosedInterval[] {
  const out: ClosedInterval[] = [];
  ts.onInterval((c) => out.push(c));
  return out;
}

const T0 = 1_700_000_000_000;

describe('bucketing', () => {
  test('two workers flushing every second give one point per interval with the sum of both', () => {
    const ts = new TimeSeries({ intervalMs: 1000, metric: def, perScenario: true });
    const closed = collect(ts);
    const w = [worker(), worker()];
    for (let i = 0; i < 5; i++) {
      for (const [k, x] of w.entries()) {
        x.store.add('http_reqs', 10 + k, { scenario: 'a', status: '200' });
        x.store.add('http_req_duration', 5 + k, { scenario: 'a', status: '200' });
        x.store.add('vus', 3, {});
        // Worker 1 flushes 180 ms after worker 0, with jitter.
        ts.snapshot(k, x.snap(T0 + i * 1000 + k * 180 + (i % 2) * 7));
      }
    }
    ts.closeAll();
    expect(closed.map((c) => c.index)).toEqual([0, 1, 2, 3, 4]);
    for (const c of closed) {
      const reqs = c.points.find((p) => p.metric === 'http_reqs' && Object.keys(p.tags).length === 0)!;
      expect(reqs.count).toBe(21);
      expect(reqs.perSecond).toBe(21);
      const byScenario = c.points.find((p) => p.metric === 'http_reqs' && p.tags.scenario === 'a')!;
      expect(byScenario.count).toBe(21);
      const vus = c.points.find((p) => p.metric === 'vus')!;
      expect(vus.value, 'vus is additive over workers').toBe(6);
      const dur = c.points.find((p) => p.metric === 'http_req_duration' && Object.keys(p.tags).length === 0)!;
      expect(dur.count).toBe(2);
      expect(dur.min).toBe(5);
      expect(dur.max).toBe(6);
      expect(dur.value).toBe(5.5);
    }
    // Interval end times are one interval apart.
    expect(closed[1].time - closed[0].time).toBe(1000);
  });

  test('periodic flushes of one worker never share an interval: a late one moves to the next', () => {
    const ts = new TimeSeries({ intervalMs: 1000, metric: def });
    const closed = collect(ts);
    const w = worker();
    const at = [0, 1000, 1999, 2510 /* drifted late */, 3480 /* early */, 4600];
    for (const t of at) {
      w.store.add('http_reqs', 1, {});
      ts.snapshot(0, w.snap(T0 + t));
    }
    ts.closeAll();
    expect(closed.map((c) => c.points[0].count)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(closed.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test("a worker's final off-cycle flush joins its previous interval while that one is open", () => {
    const ts = new TimeSeries({ intervalMs: 1000, metric: def });
    const closed = collect(ts);
    const w = worker();
    for (const t of [0, 1000, 2000, 2300 /* shutdown */]) {
      w.store.add('http_reqs', 10, {});
      ts.snapshot(0, w.snap(T0 + t));
    }
    ts.closeAll();
    expect(closed.map((c) => c.points[0].count)).toEqual([10, 10, 20]);
    // ... but not once it was closed.
    const ts2 = new TimeSeries({ intervalMs: 1000, metric: def });
    const closed2 = collect(ts2);
    for (const t of [0, 1000]) {
      w.store.add('http_reqs', 10, {});
      ts2.snapshot(0, w.snap(T0 + t));
    }
    ts2.closeDue(T0 + 1800);
    w.store.add('http_reqs', 3, {});
    ts2.snapshot(0, w.snap(T0 + 1400));
    ts2.closeAll();
    expect(closed2.map((c) => c.points[0].count)).toEqual([10, 10, 3]);
  });

  test('a snapshot for an interval already closed goes to the oldest open one (nothing is lost)', () => {
    const ts = new TimeSeries({ intervalMs: 1000, metric: def });
    const closed = collect(ts);
    const a = worker();
    const b = worker();
    a.store.add('http_reqs', 5, {});
    ts.snapshot(0, a.snap(T0));
    ts.closeDue(T0 + 1000); // closes interval 0
    b.store.add('http_reqs', 7, {});
    ts.snapshot(1, b.snap(T0 + 10)); // worker 1's flush for interval 0 arrives late
    ts.closeAll();
    expect(closed.map((c) => c.points[0].count)).toEqual([5, 7]);
    expect(closed[1].index).toBe(1);
  });

  test('closeDue closes an interval only after its flushes had time to arrive', () => {
    const ts = new TimeSeries({ intervalMs: 1000, metric: def });
    const closed = collect(ts);
    const w = worker();
    w.store.add('http_reqs', 1, {});
    ts.snapshot(0, w.snap(T0));
    ts.closeDue(T0 + 500);
    expect(closed).toHaveLength(0);
    ts.closeDue(T0 + 760);
    expect(closed).toHaveLength(1);
  });

  test('trend points carry the percentiles of the interval histogram', () => {
    const ts = new TimeSeries({ intervalMs: 1000, metric: def });
    const closed = collect(ts);
    const w = [worker(), worker()];
    const h = createHistogram();
    for (let i = 1; i <= 1000; i++) {
      const v = i / 10;
      w[i % 2].store.add('http_req_duration', v, { status: '200' });
      recordScaled(h, v);
    }
    ts.snapshot(0, w[0].snap(T0));
    ts.snapshot(1, w[1].snap(T0 + 40));
    ts.closeAll();
    const p = closed[0].points.find((x) => x.metric === 'http_req_duration')!;
    expect(p.count).toBe(1000);
    for (const q of [50, 90, 95, 99] as const) expect(p[`p${q}`]).toBe(percentileOf(h, q));
    expect(p.min).toBe(0.1);
    expect(p.max).toBe(100);
  });

  test('percentiles per interval for charted latencies and custom trends only; count/min/max for all', () => {
    const reg = new MetricRegistry();
    reg.define({ name: 'login_time', type: 'trend', contains: 'time' });
    const ts = new TimeSeries({ intervalMs: 1000, metric: (n) => reg.get(n) });
    const closed = collect(ts);
    const store = new WorkerMetricStore(reg);
    for (const v of [1, 2, 3]) {
      store.add('http_req_duration', v, {});
      store.add('http_req_waiting', v, {});
      store.add('login_time', v, {});
    }
    ts.snapshot(0, { ...store.snapshot(), at: T0 });
    ts.closeAll();
    const pt = (m: string) => closed[0].points.find((p) => p.metric === m)!;
    expect(pt('http_req_duration').p50).toBe(2);
    expect(pt('login_time').p99).toBeCloseTo(3, 2);
    expect(pt('http_req_waiting')).toMatchObject({ count: 3, min: 1, max: 3, value: 2 });
    expect(pt('http_req_waiting').p95).toBeUndefined();
    expect(Object.keys(findSeries(ts.columns(), 'http_req_waiting')!.fields)).toEqual(['count', 'sum', 'min', 'max']);
  });

  test('property: whatever the flush timing, per-interval counts add up to the total', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ worker: fc.integer({ min: 0, max: 3 }), dt: fc.integer({ min: 0, max: 2500 }), n: fc.integer({ min: 0, max: 50 }), closeAfter: fc.boolean() }), { minLength: 1, maxLength: 60 }),
        (events) => {
          const ts = new TimeSeries({ intervalMs: 1000, metric: def });
          const closed = collect(ts);
          const ws = [worker(), worker(), worker(), worker()];
          let t = T0;
          let total = 0;
          for (const e of events) {
            t += e.dt;
            if (e.n) ws[e.worker].store.add('http_reqs', e.n, {});
            ws[e.worker].store.add('vus', 1, {});
            total += e.n;
            ts.snapshot(e.worker, ws[e.worker].snap(t));
            if (e.closeAfter) ts.closeDue(t + 300);
          }
          ts.closeAll();
          const sum = closed.flatMap((c) => c.points).filter((p) => p.metric === 'http_reqs').reduce((a, p) => a + p.count, 0);
          expect(sum).toBe(total);
          const idx = closed.map((c) => c.index);
          expect([...idx].sort((a, b) => a - b)).toEqual(idx);
          expect(new Set(idx).size).toBe(idx.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('bounded memory', () => {
  test('12 hours at 1 s keep at most maxBuckets intervals, old ones coarser, counts exact', () => {
    const ts = new TimeSeries({ intervalMs: 1000, metric: def, maxBuckets: 600 });
    const w = worker();
    let total = 0;
    const hours = 12;
    for (let i = 0; i < hours * 3600; i++) {
      const n = 1 + (i % 7);
      w.store.add('http_reqs', n, {});
      w.store.add('vus', 10, {});
      total += n;
      ts.snapshot(0, w.snap(T0 + i * 1000));
      if (i % 50 === 0) ts.closeDue(T0 + i * 1000);
    }
    ts.closeAll();
    const cols = ts.columns();
    expect(cols.times.length).toBeLessThanOrEqual(600);
    expect(cols.widths.reduce((a, b) => a + b, 0)).toBe(hours * 3600 * 1000);
    const reqs = findSeries(cols, 'http_reqs')!;
    expect(reqs.fields.count.reduce((a, b) => a + b, 0)).toBe(total);
    // Recent intervals keep full resolution; old ones were merged.
    expect(cols.widths.at(-1)).toBe(1000);
    expect(cols.widths[0]).toBeGreaterThan(1000);
    // Widths never shrink going back in time.
    for (let i = 1; i < cols.widths.length; i++) expect(cols.widths[i]).toBeLessThanOrEqual(cols.widths[i - 1]);
    // Ends of intervals follow each other without gaps.
    for (let i = 1; i < cols.times.length; i++) expect(cols.times[i] - cols.times[i - 1]).toBe(cols.widths[i]);
  });

  test('coarsened trends keep exact count, sum, min and max', () => {
    const ts = new TimeSeries({ intervalMs: 1000, metric: def, maxBuckets: 8 });
    const w = worker();
    let count = 0;
    let sum = 0;
    for (let i = 0; i < 100; i++) {
      for (let k = 0; k < 3; k++) {
        const v = 1 + ((i * 3 + k) % 17);
        w.store.add('http_req_duration', v, {});
        count++;
        sum += v;
      }
      ts.snapshot(0, w.snap(T0 + i * 1000));
    }
    ts.closeAll();
    const s = findSeries(ts.columns(), 'http_req_duration')!;
    expect(ts.columns().times.length).toBeLessThanOrEqual(8);
    expect(s.fields.count.reduce((a, b) => a + b, 0)).toBe(count);
    expect(s.fields.sum.reduce((a, b) => a + b, 0)).toBeCloseTo(sum, 6);
    expect(Math.min(...s.fields.min)).toBe(1);
    expect(Math.max(...s.fields.max)).toBe(17);
    for (const p of s.fields.p95) expect(p).toBeGreaterThanOrEqual(1);
  });

  test('tag sets beyond maxSeries are not tracked, metric totals always are', () => {
    const ts = new TimeSeries({ intervalMs: 1000, metric: def, perScenario: true, maxSeries: 5 });
    const w = worker();
    for (let i = 0; i < 20; i++) w.store.add('http_reqs', 1, { scenario: `s${i}` });
    w.store.add('iterations', 1, {});
    ts.snapshot(0, w.snap(T0));
    ts.closeAll();
    const cols = ts.columns();
    expect(findSeries(cols, 'http_reqs')!.fields.count[0]).toBe(20);
    expect(findSeries(cols, 'iterations')).toBeDefined();
    expect(cols.series.length).toBeLessThanOrEqual(6);
    expect(ts.untracked).toBeGreaterThan(0);
  });
});

describe('file formats', () => {
  test('NDJSON: a Metric line once, then Point lines; raw writes each worker delta', () => {
    const ts = new TimeSeries({ intervalMs: 1000, metric: def });
    const f = new NdjsonFormatter();
    let text = '';
    ts.onInterval((c) => (text += f.interval(c)));
    const w = worker();
    for (let i = 0; i < 2; i++) {
      w.store.add('http_reqs', 3, { status: '200' });
      ts.snapshot(0, w.snap(T0 + i * 1000));
    }
    ts.closeAll();
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['Metric', 'Point', 'Point']);
    expect(lines[0]).toEqual({ type: 'Metric', metric: 'http_reqs', data: { name: 'http_reqs', type: 'counter', contains: 'default' } });
    expect(lines[1].data).toEqual({ time: new Date(T0).toISOString(), interval: 1, tags: {}, value: 3, count: 3, perSecond: 3 });
    w.store.add('http_req_duration', 1.5, { status: '200' });
    const raw = f.raw(1, w.snap(T0)).trim().split('\n').map((l) => JSON.parse(l));
    expect(raw).toEqual([{ type: 'WorkerDelta', metric: 'http_req_duration', data: { time: new Date(T0).toISOString(), worker: 1, tags: { status: '200' }, count: 1, sum: 1.5, min: 1.5, max: 1.5 } }]);
  });

  test('CSV: header, quoting, tags encoding', () => {
    expect(csvHeader()).toBe('timestamp,metric,type,tags,interval_s,value,count,per_second,passes,sum,min,max,p50,p90,p95,p99\n');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(0.1 + 0.2)).toBe('0.3');
    expect(encodeTags({ tool: 'a&b=c', scenario: 'x' })).toBe('scenario=x&tool=a%26b%3Dc');
    const line = csvLines({
      index: 0,
      time: T0,
      intervalMs: 1000,
      points: [{ metric: 'checks', type: 'rate', contains: 'default', tags: { check: 'status, "ok"' }, value: 0.5, count: 4, passes: 2 }],
    });
    expect(line).toBe(`${T0 / 1000},checks,rate,"check=status, ""ok""",1,0.5,4,,2,,,,,,,\n`);
  });
});
