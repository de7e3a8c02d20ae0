/**
 * MCPRUN_* variables: one per flag of the table, each meaning exactly what its flag means, and the
 * command line winning over the environment (CLI > environment > file > defaults).
 */
import { describe, expect, test } from 'vitest';
import { envVarOf } from '../../../runtime/cli/env-flags.js';
import { FLAG_NAMES, flagSpec, type FlagName } from '../../../runtime/cli/flag-table.js';
import { parseArgs } from '../../../runtime/cli/main.js';

/** A valid value for every flag (the type makes a new flag without a sample a compile error). */
const SAMPLE: Record<FlagName, string> = {
  vus: '3',
  duration: '10s',
  iterations: '7',
  stage: '1s:5;2s:0',
  env: 'A=1;B=x=y',
  workers: '2',
  'summary-export': 'out.json',
  quiet: 'true',
  summary: 'false',
  'summary-trend-stats': 'avg,p(99.9)',
  thresholds: 'false',
  setup: 'false',
  teardown: 'false',
  tag: 'site=ci;run=1',
  'user-agent': 'agent/1',
  'max-redirects': '0',
  'insecure-skip-tls-verify': 'yes',
  dns: 'policy=onlyIPv4',
  'http-debug': 'full',
  color: '0',
  progress: 'false',
  verbose: '1',
  out: 'json=a.ndjson;csv=b.csv',
  'report-dir': 'results',
  junit: 'j.xml',
  'metrics-addr': '127.0.0.1:9000',
  interval: '2s',
  pool: 'processes',
  'local-ips': '127.0.0.2-127.0.0.3',
  'continue-on-worker-error': 'true',
  'sut-pid': '11;12',
  'sut-metrics': 'http://127.0.0.1:9464/metrics',
  typecheck: 'true',
  dashboard: '127.0.0.1:9001',
  'dashboard-open': 'true',
  'dashboard-token': 'sekret-token',
  paused: 'true',
  linger: '30s',
  instances: '3',
  coordinator: '127.0.0.1:7000',
  instance: '1',
  baseline: 'base.json',
  'max-regression': 'http_req_duration:p95:+10%;checks:rate:-1%',
};

/** The same value as command-line tokens. */
function asFlags(flag: FlagName, v: string): string[] {
  if (flagSpec(flag).value === 'switch') return [['1', 'true', 'yes'].includes(v) ? `--${flag}` : `--no-${flag}`];
  return v.split(';').flatMap((x) => [`--${flag}`, x]);
}

describe('MCPRUN_* variables', () => {
  test.each(FLAG_NAMES)('%s: its MCPRUN_ variable means what the flag means', async (flag) => {
    const fromEnv = await parseArgs(['s.ts'], { [envVarOf(flag)]: SAMPLE[flag] });
    const fromCli = await parseArgs(['s.ts', ...asFlags(flag, SAMPLE[flag])], {});
    expect(fromEnv).toEqual(fromCli);
    expect(fromEnv).not.toEqual(await parseArgs(['s.ts'], {}));
  });

  test('names: MCPRUN_ and the flag in upper case, dashes as underscores', () => {
    expect(envVarOf('vus')).toBe('MCPRUN_VUS');
    expect(envVarOf('summary-trend-stats')).toBe('MCPRUN_SUMMARY_TREND_STATS');
    expect(envVarOf('insecure-skip-tls-verify')).toBe('MCPRUN_INSECURE_SKIP_TLS_VERIFY');
  });

  test('the command line wins over the environment, in any spelling', async () => {
    const env = { MCPRUN_VUS: '3', MCPRUN_PROGRESS: 'false', MCPRUN_ENV: 'A=env' };
    expect((await parseArgs(['s.ts', '--vus', '5'], env)).vus).toBe(5);
    expect((await parseArgs(['s.ts', '-u', '6'], env)).vus).toBe(6);
    expect((await parseArgs(['s.ts', '--vus=7'], env)).vus).toBe(7);
    expect((await parseArgs(['s.ts', '--progress'], env)).progress).toBe(true);
    expect((await parseArgs(['s.ts', '-e', 'A=cli'], env)).env).toEqual({ A: 'cli' });
    expect((await parseArgs(['s.ts'], env)).vus).toBe(3);
  });

  test('a bad value names the variable and exits 104', async () => {
    await expect(parseArgs(['s.ts'], { MCPRUN_QUIET: 'maybe' })).rejects.toThrow(/invalid MCPRUN_QUIET="maybe": expected true or false/);
    await expect(parseArgs(['s.ts'], { MCPRUN_VUS: 'many' })).rejects.toThrow(/--vus "many"/);
  });
});
