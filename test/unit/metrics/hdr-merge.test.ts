import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MetricAggregate } from '../../../runtime/metrics/aggregate.js';
import { addTransfer, createHistogram, decodeHistogram, encodeHistogram, encodeTransfer, recordScaled } from '../../../runtime/metrics/hdr.js';
import { MetricRegistry } from '../../../runtime/metrics/registry.js';
import { WorkerMetricStore } from '../../../runtime/metrics/worker-store.js';

const values = fc.array(fc.double({ min: 0, max: 60_000, noNaN: true }), { maxLength: 200 });

describe('HDR histograms', () => {
  test('merging is associative and equals recording every value into one (property)', () => {
    fc.assert(
      fc.property(values, values, values, (a, b, c) => {
        const h = (vs: number[]) => {
          const x = createHistogram();
          for (const v of vs) recordScaled(x, v);
          return x;
        };
        const all = h([...a, ...b, ...c]);
        const left = h(a);
        const ab = decodeHistogram(encodeHistogram(h(b)));
        left.add(ab);
        left.add(decodeHistogram(encodeHistogram(h(c))));
        const right = h(c);
        const bc = h(b);
        bc.add(right);
        const r2 = h(a);
        r2.add(bc);
        for (const p of [50, 90, 95, 99, 100]) {
          expect(left.getValueAtPercentile(p)).toBe(all.getValueAtPercentile(p));
          expect(r2.getValueAtPercentile(p)).toBe(all.getValueAtPercentile(p));
        }
        expect(left.totalCount).toBe(all.totalCount);
      }),
      { numRuns: 50 },
    );
  });

  test('the worker-to-coordinator transfer form merges exactly: same counts, same percentiles (property)', () => {
    fc.assert(
      fc.property(values, values, (a, b) => {
        const all = createHistogram();
        for (const v of [...a, ...b]) recordScaled(all, v);
        const merged = createHistogram();
        for (const part of [a, b]) {
          const h = createHistogram();
          for (const v of part) recordScaled(h, v);
          addTransfer(merged, encodeTransfer(h));
        }
        expect(merged.totalCount).toBe(all.totalCount);
        // (A histogram's own min/max are bucket-precise; mcprun keeps exact min/max beside it.)
        // A histogram reused after reset() (as a worker's per-interval one is) transfers the same.
        const reused = createHistogram();
        recordScaled(reused, 60_000);
        reused.reset();
        for (const v of [...a, ...b]) recordScaled(reused, v);
        const again = createHistogram();
        addTransfer(again, encodeTransfer(reused));
        expect(again.totalCount).toBe(all.totalCount);
        for (const p of [0, 50, 99, 100]) expect(again.getValueAtPercentile(p)).toBe(all.getValueAtPercentile(p));
        for (const p of [0, 1, 50, 90, 99, 99.9, 100]) expect(merged.getValueAtPercentile(p)).toBe(all.getValueAtPercentile(p));
      }),
      { numRuns: 100 },
    );
  });

  test('worker snapshots merge into the same view as one store', () => {
    const registry = new MetricRegistry();
    const w1 = new WorkerMetricStore(registry);
    const w2 = new WorkerMetricStore(registry);
    const one = new WorkerMetricStore(registry);
    for (let i = 1; i <= 1000; i++) {
      const tags = { status: i % 10 === 0 ? '500' : '200' };
      (i % 2 ? w1 : w2).add('http_req_duration', i, tags);
      one.add('http_req_duration', i, tags);
      (i % 2 ? w1 : w2).add('http_req_failed', i % 10 === 0 ? 1 : 0, tags);
      one.add('http_req_failed', i % 10 === 0 ? 1 : 0, tags);
    }
    const merged = new MetricAggregate((n) => registry.get(n));
    merged.merge(0, w1.snapshot());
    merged.merge(1, w2.snapshot());
    const single = new MetricAggregate((n) => registry.get(n));
    single.merge(0, one.snapshot());
    for (const filter of [{}, { status: '200' }, { status: '500' }] as Array<Record<string, string>>) {
      const a = merged.view('http_req_duration', filter);
      const b = single.view('http_req_duration', filter);
      expect(a.count).toBe(b.count);
      expect(a.avg).toBe(b.avg);
      for (const p of [50, 95, 99]) expect(a.percentile(p)).toBe(b.percentile(p));
    }
    const f = merged.view('http_req_failed');
    expect([f.passes, f.count]).toEqual([100, 1000]);
    expect(merged.view('http_req_duration', { status: '500' }).count).toBe(100);
    expect(Math.abs(merged.view('http_req_duration').percentile(95) - 950)).toBeLessThanOrEqual(1);
  });

  test('a snapshot carries only what changed, and resets interval histograms', () => {
    const registry = new MetricRegistry();
    const w = new WorkerMetricStore(registry);
    w.add('iterations', 3, { scenario: 'a' });
    w.add('iteration_duration', 12, { scenario: 'a' });
    expect(w.snapshot().series.map((s) => s.metric).sort()).toEqual(['iteration_duration', 'iterations']);
    w.add('iterations', 1, { scenario: 'a' });
    const second = w.snapshot().series;
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({ metric: 'iterations', count: 1 });
    expect(w.snapshot().series).toHaveLength(0);
  });
});
