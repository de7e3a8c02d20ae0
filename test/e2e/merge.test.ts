/**
 * `mcprun merge`: summary exports of two separate runs against one counting server merged into one
 * summary: the counts are the server's, the merged histogram is the two added bucket by bucket
 * (so its percentiles are exact, HDR precision), thresholds are judged again on the merged figures
 * (from the exports or from --thresholds-from) with a run's exit code, and bad input is 104.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createHistogram, decodeHistogram, percentileOf } from '../../runtime/metrics/hdr.js';
import { serverForTest } from '../support/http-server.js';
import { ROOT, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const FIXTURE = join(ROOT, 'test/fixtures/instances/executors.ts');
const read = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

async function twoRuns(thresholds: object = {}) {
  // Delays the server sets: 0-15 ms, so the histograms have some spread.
  let n = 0;
  const s = await serverForTest((_q, res) => void setTimeout(() => res.end('ok'), (n++ * 7) % 16));
  const dir = tempDir();
  const files = [join(dir, 'a.json'), join(dir, 'b.json')];
  for (const f of files) {
    const r = await runCli(['run', FIXTURE, '--workers', '1', '-q', '--summary-export', f], { env: { TARGET: s.url, THRESHOLDS: JSON.stringify(thresholds) } });
    expect(r.code, r.stderr).toBe(0);
  }
  return { s, dir, files };
}

describe('mcprun merge', () => {
  test('counts add up to the server\'s; the merged histogram is both added, so its percentiles are exact', async () => {
    const { s, dir, files } = await twoRuns({ http_reqs: ['count>=39'] });
    const out = join(dir, 'merged.json');
    const r = await runCli(['merge', ...files, '--summary-export', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/merged from 2 summary exports/);
    const [a, b, m] = [read(files[0]), read(files[1]), read(out)];
    expect(m.metrics.http_reqs.values.count).toBe(s.requests.length);
    expect(m.metrics.iterations.values.count).toBe(74);
    expect(m.metrics.http_req_failed.values).toMatchObject({ passes: 0, fails: 78 });
    // Into a histogram that grows to fit both (a decoded one keeps its own range: the other run's
    // slowest value may lie beyond it).
    const both = createHistogram();
    both.add(decodeHistogram(a.mcprun.histograms.http_req_duration));
    both.add(decodeHistogram(b.mcprun.histograms.http_req_duration));
    const merged = decodeHistogram(m.mcprun.histograms.http_req_duration);
    expect(merged.totalCount).toBe(78);
    for (const p of [50, 90, 95, 99]) expect(percentileOf(merged, p)).toBe(percentileOf(both, p));
    expect(m.metrics.http_req_duration.values['p(95)']).toBe(percentileOf(both, 95));
    expect(m.metrics.http_req_duration.values.min).toBe(Math.min(a.metrics.http_req_duration.values.min, b.metrics.http_req_duration.values.min));
    expect(m.metrics.http_req_duration.values.max).toBe(Math.max(a.metrics.http_req_duration.values.max, b.metrics.http_req_duration.values.max));
    expect(m.metrics.http_reqs.thresholds['count>=39'].ok).toBe(true);
  });

  test('a threshold each run passes alone but the merged figures fail: 99 (from the exports, and from --thresholds-from)', async () => {
    const { files } = await twoRuns({ http_reqs: ['count<50'] });
    const fromExports = await runCli(['merge', ...files]);
    expect(fromExports.code, fromExports.stderr).toBe(99);
    const fromScenario = await runCli(['merge', ...files, '--thresholds-from', FIXTURE], { env: { THRESHOLDS: JSON.stringify({ http_reqs: ['count<100'] }) } });
    expect(fromScenario.code, fromScenario.stderr).toBe(0);
    expect(fromScenario.stdout).toMatch(/count<100/);
  });

  test('bad input is 104 with the file named', async () => {
    const dir = tempDir();
    const notJson = join(dir, 'x.json');
    writeFileSync(notJson, 'nope');
    const r1 = await runCli(['merge', notJson]);
    expect(r1.code).toBe(104);
    expect(r1.stderr).toContain(`${notJson} is not JSON`);
    const other = join(dir, 'k6.json');
    writeFileSync(other, JSON.stringify({ metrics: {} }));
    const r2 = await runCli(['merge', other]);
    expect(r2.code).toBe(104);
    expect(r2.stderr).toMatch(/is not an mcprun summary export/);
    const { files } = await twoRuns({ 'http_req_duration{status:200}': ['p(95)<1000'] });
    const r3 = await runCli(['merge', ...files]);
    expect(r3.code).toBe(104);
    expect(r3.stderr).toMatch(/has a tag filter, which mcprun merge cannot judge/);
  });
});
