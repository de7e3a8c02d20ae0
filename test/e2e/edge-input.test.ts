/**
 * Small things that were wrong in code or in words: NaN in options read as null, a folder read as
 * "not found", require('mcprun') from CommonJS, --out specs with an empty name or an unknown
 * option, -e NODE_OPTIONS under --pool processes, the fix for a --metrics-addr host that does not
 * resolve. Real processes; the counting server is the ground truth.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { serverForTest } from '../support/http-server.js';
import { runCli } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mcprun-edge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const scenario = (name: string, source: string) => {
  writeFileSync(join(dir, name), source);
  return join(dir, name);
};

describe('messages', () => {
  test.each([
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['-Infinity', '-Infinity'],
  ])('vus: %s is said as it is, not as null', async (src, shown) => {
    const r = await runCli([scenario(`vus-${shown}.ts`, `export const options = { vus: ${src}, duration: '1s' };\nexport default async function () {}\n`)]);
    expect(r.code, r.stderr).toBe(104);
    expect(r.stderr).toContain(`received ${shown}`);
    expect(r.stderr).not.toContain('received null');
  });

  test('a folder given as the scenario is said to be a folder', async () => {
    const r = await runCli([dir]);
    expect(r.code).toBe(107);
    expect(r.stderr).toContain('is a folder, not a scenario file');
    expect(r.stderr).not.toContain('not found');
  });

  test('--out json= : the file name is empty', async () => {
    const r = await runCli(['test/fixtures/reports/steady.ts', '--out', 'json=']);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('invalid --out "json=": the file name is empty');
  });

  test('--out json=x.json,bogus: an unknown option, and no file named "x.json,bogus"', async () => {
    const r = await runCli(['test/fixtures/reports/steady.ts', '--out', `json=${join(dir, 'x.json')},bogus`]);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('unknown option "bogus" after the file name; json takes only ",raw"');
    expect(readdirSync(dir).filter((f) => f.startsWith('x.json'))).toEqual([]);
  });

  test('--metrics-addr on a host that does not resolve: the fix says so, not "pick a free port"', async () => {
    const r = await runCli(['test/fixtures/reports/steady.ts', '--metrics-addr', 'no-such-host.invalid:9464']);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('The host name does not resolve: give an IP address of this machine');
    expect(r.stderr).not.toContain('Pick a free port');
  });
});

describe('running', () => {
  test('a .cjs scenario that requires mcprun runs; -e NODE_OPTIONS=--bogus under --pool processes reaches the scenario, not node', async () => {
    const s = await serverForTest();
    const r = await runCli(['test/fixtures/edge/require.cjs', '-e', `TARGET=${s.url}`, '-e', 'NODE_OPTIONS=--bogus', '--pool', 'processes', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(s.requests).toHaveLength(3);
    expect(r.stdout).toContain('NODE_OPTIONS seen by the scenario: --bogus');
    expect(existsSync(join(dir, 'x.json,bogus'))).toBe(false);
  });
});
