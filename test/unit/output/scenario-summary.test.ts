import { expect, test } from 'vitest';
import type { ResolvedConstantVus } from '../../../runtime/executors/resolved.js';
import { MetricAggregate } from '../../../runtime/metrics/aggregate.js';
import { realmRegistry } from '../../../runtime/metrics/registry.js';
import { WorkerMetricStore } from '../../../runtime/metrics/worker-store.js';
import { scenarioSummary } from '../../../runtime/output/summary-data.js';

const scenario = { name: 'tools', executor: 'constant-vus', vus: 1, durationMs: 2000 } as ResolvedConstantVus;

test('an MCP-only phase shows its calls per second, latency and error rate', () => {
  const store = new WorkerMetricStore(realmRegistry);
  const tags = { scenario: 'tools', method: 'tools/call', tool: 'echo' };
  for (let i = 1; i <= 100; i++) {
    store.add('mcp_reqs', 1, tags);
    store.add('mcp_req_duration', i, tags);
    store.add('mcp_req_failed', i % 20 === 0 ? 1 : 0, tags);
  }
  const agg = new MetricAggregate((n) => realmRegistry.get(n));
  agg.merge(0, store.snapshot());
  const s = scenarioSummary(scenario, 'x', 2000, agg, []);
  expect(s.mcpReqs).toBe(100);
  expect(s.httpReqs).toBe(0);
  expect(s.httpReqRate).toBe(50);
  expect(Math.abs((s.p95 ?? 0) - 95)).toBeLessThanOrEqual(0.1);
  expect(s.errorRate).toBe(0.05);
});

test('HTTP and MCP failures are one error rate', () => {
  const store = new WorkerMetricStore(realmRegistry);
  for (let i = 0; i < 10; i++) {
    store.add('http_reqs', 1, { scenario: 'tools' });
    store.add('http_req_failed', i < 1 ? 1 : 0, { scenario: 'tools' });
    store.add('mcp_reqs', 1, { scenario: 'tools' });
    store.add('mcp_req_failed', i < 3 ? 1 : 0, { scenario: 'tools' });
  }
  const agg = new MetricAggregate((n) => realmRegistry.get(n));
  agg.merge(0, store.snapshot());
  const s = scenarioSummary(scenario, 'x', 1000, agg, []);
  expect(s.errorRate).toBe(0.2);
  expect(s.httpReqRate).toBe(20);
});
