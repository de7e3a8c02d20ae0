/**
 * The 1 s request windows recovery is judged on (request-windows.ts): each worker delta goes to
 * the window that holds the middle of the span it covers, HTTP and MCP requests alike, and a
 * second with no delta is an empty window (not healthy).
 */
import { describe, expect, test } from 'vitest';
import { RequestWindows } from '../../../runtime/faults/request-windows.js';
import { createHistogram, encodeTransfer, recordScaled } from '../../../runtime/metrics/hdr.js';
import type { MetricSnapshot } from '../../../runtime/metrics/worker-store.js';

const ORIGIN = 1_000_000;

function delta(at: number, requests: number, failed: number, metric: 'http' | 'mcp' = 'http'): MetricSnapshot {
  const h = createHistogram();
  for (let i = 0; i < requests; i++) recordScaled(h, 10);
  return {
    at: ORIGIN + at,
    series: [
      { metric: `${metric}_req_failed`, tags: {}, type: 'rate', count: requests, sum: failed, min: 0, max: 1 },
      { metric: `${metric}_req_duration`, tags: {}, type: 'trend', count: requests, sum: requests * 10, min: 10, max: 10, hist: encodeTransfer(h) },
      { metric: 'vus', tags: {}, type: 'gauge', count: 1, sum: 3, min: 3, max: 3 },
    ],
  };
}

describe('RequestWindows', () => {
  test('a delta goes to the window of its middle; each source keeps its own previous time', () => {
    const w = new RequestWindows(() => ORIGIN, 1000);
    // Worker 0 covers (0, 1000] then (1000, 1900]; worker 1 covers (0, 1300] (its first: 1 s back), then (1300, 1400].
    expect(w.add(0, delta(1000, 50, 0))).toEqual({ at: 500, requests: 50, failed: 0 });
    expect(w.add(0, delta(1900, 45, 5))?.at).toBe(1450);
    expect(w.add(1, delta(1300, 10, 10, 'mcp'))?.at).toBe(800);
    expect(w.add(1, delta(1400, 2, 0))?.at).toBe(1350);
    const [first, second] = w.closed(2500);
    expect(first).toMatchObject({ start: 0, durationMs: 1000, requests: 60, failed: 10 });
    expect(second).toMatchObject({ start: 1000, requests: 47, failed: 5 });
    expect(first.histogram!.totalCount).toBe(60);
  });

  test('a second without any delta is an empty window; only ended windows are closed unless all are asked for', () => {
    const w = new RequestWindows(() => ORIGIN, 1000);
    w.add(0, delta(1000, 5, 0));
    w.add(0, delta(4000, 5, 0)); // middle 2500: window 2
    expect(w.closed(2999).map((x) => x.requests)).toEqual([5, 0]);
    expect(w.closed(0, true).map((x) => x.requests)).toEqual([5, 0, 5]);
  });

  test('before the load starts, or with no requests in it, a delta counts nowhere', () => {
    let origin: number | undefined;
    const w = new RequestWindows(() => origin, 1000);
    expect(w.add(0, delta(500, 5, 0))).toBeUndefined();
    origin = ORIGIN;
    expect(w.add(0, { at: ORIGIN + 1500, series: [{ metric: 'vus', tags: {}, type: 'gauge', count: 1, sum: 1, min: 1, max: 1 }] })).toBeUndefined();
    expect(w.closed(0, true)).toEqual([]);
  });
});
