/** Every example in examples/ runs in the suite, shortened through its -e knobs. */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT, runCli } from '../support/run-cli.js';

/** Short settings per example; an example not listed here fails this test until it is added. */
const SHORT: Record<string, string[]> = {
  'http-smoke.ts': ['-e', 'DURATION=1s'],
  'ramping.ts': ['-e', 'SCALE=1'],
};

const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.ts'));

test('every example has short settings for the suite', () => {
  expect(examples.filter((e) => !(e in SHORT) && !e.startsWith('mcp-') && !e.startsWith('ws-') && !e.startsWith('stress-'))).toEqual([]);
});

test.each(Object.keys(SHORT))('examples/%s runs and passes its thresholds', async (name) => {
  const out = join(mkdtempSync(join(tmpdir(), 'mcprun-ex-')), 'summary.json');
  const r = await runCli([`examples/${name}`, ...SHORT[name], '--summary-export', out, '--no-progress']);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  const s = JSON.parse(readFileSync(out, 'utf8'));
  expect(s.metrics.http_reqs.values.count).toBeGreaterThan(10);
  expect(s.mcprun.thresholds.length).toBeGreaterThan(0);
  expect(s.mcprun.thresholds.every((t: { ok: boolean }) => t.ok)).toBe(true);
});
