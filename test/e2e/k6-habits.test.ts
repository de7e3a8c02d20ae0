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
