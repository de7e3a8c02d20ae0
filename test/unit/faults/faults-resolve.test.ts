/**
 * options.targets and options.faults → the resolved plan: the issue's example resolves to plain,
 * structured-clone-safe data; every kind of mistake is an issue that names the option and the fix.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { findExecutable } from '../../../runtime/config/command-path.js';
import { parseByteRate, parseByteSize, suggestByteText } from '../../../runtime/config/byte-size.js';
import { resolveFaultPlan } from '../../../runtime/config/faults-resolve.js';
import type { ResolvedFaultPlan } from '../../../runtime/config/faults-resolved.js';
import { configError, resolveConfig } from '../../../runtime/config/resolve.js';
import type { ConfigIssue } from '../../../runtime/executors/types.js';

const NODE = findExecutable('node', process.cwd(), process.env.PATH)!;

// warm: 0-10 s (+30 s graceful stop at most), burst after it for 20 s, so the load ends by 1m30s.
const { scenarios } = resolveConfig({
  scenarios: {
    warm: { executor: 'constant-vus', vus: 1, duration: '10s' },
    burst: { executor: 'constant-arrival-rate', rate: 10, duration: '20s', after: 'warm', preAllocatedVUs: 2 },
  },
});

/** As resolveConfig will: the issues become one MCPRUN_CONFIG error. */
function resolveFaultConfig(raw: { targets?: unknown; faults?: unknown }, scen = scenarios, file = 'options'): ResolvedFaultPlan {
  const issues: ConfigIssue[] = [];
  const plan = resolveFaultPlan(raw, scen, issues);
  if (issues.length) throw configError(file, issues);
  return plan;
}

function issuesOf(raw: { targets?: unknown; faults?: unknown }): string[] {
  const issues: ConfigIssue[] = [];
  resolveFaultPlan(raw, scenarios, issues);
  return issues.map((i) => `${i.path}${i.message.startsWith(':') ? '' : ' '}${i.message}`);
}

const api = { upstream: 'http://127.0.0.1:8080' };

describe('the issue example', () => {
  const raw = {
    targets: {
      api,
      app: { command: ['node', 'server.js'], env: { PORT: '9000' }, upstream: 'http://127.0.0.1:9000', ready: { timeout: '10s' } },
    },
    faults: {
      partition: { target: 'api', kind: 'blackhole', startTime: '4s', duration: '3s' },
      crash: { target: 'app', kind: 'kill', after: 'warm', duration: '2s' },
      slow: { target: 'api', kind: 'latency', latency: '200ms', jitter: '50ms', during: 'burst', recovered: { failed: 'rate<1%', latency: 'p95<200ms', for: '3s' } },
    },
  };

  test('resolves to plain data with every default applied', () => {
    const plan = resolveFaultConfig(raw, scenarios);
    expect(plan).toEqual({
      targets: [
        { name: 'api', upstream: { url: 'http://127.0.0.1:8080', scheme: 'http', host: '127.0.0.1', port: 8080 }, proxy: { protocol: 'tcp' }, managed: undefined },
        {
          name: 'app',
          upstream: { url: 'http://127.0.0.1:9000', scheme: 'http', host: '127.0.0.1', port: 9000 },
          proxy: undefined,
          managed: { command: ['node', 'server.js'], executable: NODE, env: { PORT: '9000' }, cwd: process.cwd(), readyTimeoutMs: 10_000, readyUrl: undefined },
        },
      ],
      faults: [
        {
          name: 'partition',
          target: 'api',
          kind: 'blackhole',
          proxy: { name: 'partition', params: { kind: 'blackhole' }, rate: 1, direction: 'both' },
          placement: { type: 'start', offsetMs: 4000 },
          durationMs: 3000,
          recovered: {},
        },
        { name: 'crash', target: 'app', kind: 'kill', proxy: undefined, placement: { type: 'after', scenario: 'warm', offsetMs: 0 }, durationMs: 2000, recovered: {} },
        {
          name: 'slow',
          target: 'api',
          kind: 'latency',
          proxy: { name: 'slow', params: { kind: 'latency', latencyMs: 200, jitterMs: 50 }, rate: 1, direction: 'downstream' },
          placement: { type: 'during', scenario: 'burst', offsetMs: 0 },
          durationMs: undefined,
          recovered: { failed: 'rate<1%', latency: 'p95<200ms', forMs: 3000 },
        },
      ],
    });
    expect(structuredClone(plan)).toEqual(plan);
  });

  test('an HTTP fault makes the proxy frame HTTP; a network fault on a managed target puts a proxy in front of it', () => {
    const plan = resolveFaultConfig(
      {
        targets: raw.targets,
        faults: { oops: { target: 'api', kind: 'http-error', rate: '10%' }, cut: { target: 'app', kind: 'reset', rate: 0.5 } },
      },
      scenarios,
    );
    expect(plan.targets.map((t) => [t.name, t.proxy])).toEqual([
      ['api', { protocol: 'http' }],
      ['app', { protocol: 'tcp' }],
    ]);
    expect(plan.faults[0].proxy).toEqual({ name: 'oops', params: { kind: 'http-error', status: 503, body: 'fault injected by mcprun', headers: {} }, rate: 0.1, direction: 'both' });
    expect(plan.faults[1].proxy).toMatchObject({ rate: 0.5, direction: 'upstream', params: { kind: 'reset', timeoutMs: 0 } });
  });

  test('each kind with its options, sizes and rates with their units', () => {
    const faults = {
      bw: { target: 'api', kind: 'bandwidth', bandwidth: '1.5MiB/s', direction: 'upstream' },
      cap: { target: 'api', kind: 'limit-data', bytes: '64KB' },
      hang: { target: 'api', kind: 'timeout', timeout: '2s' },
      linger: { target: 'api', kind: 'slow-close', delay: '300ms' },
      late: { target: 'api', kind: 'http-delay', delay: '1s', jitter: '100ms', rate: 0.25 },
      teapot: { target: 'api', kind: 'http-error', status: 418, body: 'no', headers: { 'retry-after': '1' } },
      down: { target: 'api', kind: 'refuse', startTime: '1s', duration: '1s' },
    };
    const params = resolveFaultConfig({ targets: { api }, faults }, scenarios).faults.map((f) => f.proxy!.params);
    expect(params).toEqual([
      { kind: 'bandwidth', bytesPerSecond: 1.5 * 1024 * 1024 },
      { kind: 'limit-data', bytes: 64_000 },
      { kind: 'timeout', timeoutMs: 2000 },
      { kind: 'slow-close', delayMs: 300 },
      { kind: 'http-delay', delayMs: 1000, jitterMs: 100 },
      { kind: 'http-error', status: 418, body: 'no', headers: { 'retry-after': '1' } },
      { kind: 'refuse' },
    ]);
  });
});

describe('mistakes, each with the place and the fix', () => {
  test('unknown target, unknown kind, unknown option: the nearest name', () => {
    expect(
      issuesOf({
        targets: { api },
        faults: {
          a: { target: 'apii', kind: 'blackhole' },
          b: { target: 'api', kind: 'latncy', latency: '200ms' },
          c: { target: 'api', kind: 'latency', latncy: '200ms' },
          d: { kind: 'reset' },
        },
      }),
    ).toEqual([
      'faults.a.target names a target that does not exist: "apii"; did you mean "api"? Targets: api.',
      'faults.b.kind "latncy" is not a fault kind; did you mean "latency"? Kinds: latency, bandwidth, reset, refuse, blackhole, timeout, slow-close, limit-data, http-error, http-delay, kill, pause, restart.',
      'faults.c.latncy is not an option of a latency fault; did you mean "latency"? Its options are target, kind, rate, direction, startTime, after, during, duration, recovered, latency, jitter.',
      'faults.c.latency is required: write a duration such as "30s" or "5m"',
      'faults.d.target is required. Targets: api.',
    ]);
  });

  test('parameters of the wrong type or unit', () => {
    expect(
      issuesOf({
        targets: { api },
        faults: {
          bw: { target: 'api', kind: 'bandwidth', bandwidth: 100 },
          lat: { target: 'api', kind: 'latency', latency: '200 ms' },
          cap: { target: 'api', kind: 'limit-data', bytes: '10 kilobytes' },
          err: { target: 'api', kind: 'http-error', status: 700, body: 5 },
          rate: { target: 'api', kind: 'reset', rate: 1.5, direction: 'up' },
        },
      }),
    ).toEqual([
      "faults.bw.bandwidth must be a rate of bytes with its unit, received 100: a bare number has no unit here; write bandwidth: '100KB/s' for 100 kB/s (KB = 1000 bytes, KiB = 1024)",
      'faults.lat.latency must be a non-negative duration such as "500ms", "30s", "1m30s" or "1h", received "200 ms"; did you mean "200ms"?',
      "faults.cap.bytes must be a whole number of bytes or a size with its unit, received \"10 kilobytes\": write e.g. bytes: 65536 or '64KB' (KB = 1000 bytes, KiB = 1024)",
      'faults.err.status must be an HTTP status from 200 to 599, received 700',
      'faults.err.body must be a string (the body of the injected response), received 5',
      "faults.rate.rate must be the fraction of connections affected, more than 0 and at most 1 (0.1 or '10%'), received 1.5",
      `faults.rate.direction must be 'upstream' (client to server), 'downstream' (server to client) or 'both', received "up"`,
    ]);
  });

  test('faults that do not fit their target or their kind', () => {
    expect(
      issuesOf({
        targets: { api, tls: { upstream: 'https://127.0.0.1:8443' }, app: { command: ['node', '-e', ''], upstream: 'http://127.0.0.1:9000' } },
        faults: {
          kill: { target: 'api', kind: 'kill' },
          https: { target: 'tls', kind: 'http-delay', delay: '1s' },
          refuse: { target: 'api', kind: 'refuse', rate: 0.5 },
          restart: { target: 'app', kind: 'restart', duration: '2s' },
          pause: { target: 'app', kind: 'pause', direction: 'both' },
        },
      }),
    ).toEqual([
      'faults.kill.kind "kill" acts on a process mcprun starts, and targets.api has no command: add command (and ready) to it, or use a network fault such as "refuse" or "blackhole"',
      'faults.https.kind "http-delay" reads HTTP, and targets.tls.upstream is https://: the proxy cannot read inside TLS or raw TCP. Use a network fault such as "reset" or "latency" instead',
      'faults.refuse.rate does not apply to "refuse": it closes the listening socket, so every new connection is refused; use "reset" for a fraction. Remove rate.',
      'faults.restart.duration does not apply to "restart": it stops the target and starts it again at once. Remove duration, or use "kill" to keep it down for a while.',
      'faults.pause.direction does not apply to "pause". Remove direction.',
    ]);
  });

  test('a fault outside every scenario', () => {
    expect(
      issuesOf({
        targets: { api },
        faults: {
          late: { target: 'api', kind: 'reset', startTime: '10m', duration: '1s' },
          beyond: { target: 'api', kind: 'reset', during: 'burst', startTime: '55s' },
          last: { target: 'api', kind: 'reset', after: 'burst' },
          ok1: { target: 'api', kind: 'reset', after: 'warm', duration: '1s' },
          ok2: { target: 'api', kind: 'reset', startTime: '1m29s' },
          typo: { target: 'api', kind: 'reset', during: 'brust' },
          both: { target: 'api', kind: 'reset', after: 'warm', during: 'burst' },
        },
      }),
    ).toEqual([
      "faults.late.startTime places the fault at 10m for 1s, when no scenario runs (scenarios run between 0ms and 1m30s at most): it would act on no load. Move it into that span, or place it with during: '<scenario>'.",
      'faults.beyond.startTime is 55s into "burst", which lasts 50s at most (graceful stop included): the fault would never turn on. Use a startTime below 50s.',
      "faults.last.after places the fault after \"burst\" ends, and no scenario runs after that: it would act on no load. Place it during: 'burst' instead, or after an earlier scenario.",
      'faults.typo.during must name a scenario, received "brust"; did you mean "burst"? Scenarios: warm, burst.',
      'faults.both.during cannot be combined with after: a fault is placed after one scenario or during one. Keep one.',
    ]);
  });

  test('recovered: threshold expressions checked by the threshold grammar', () => {
    expect(
      issuesOf({
        targets: { api },
        faults: { r: { target: 'api', kind: 'reset', recovered: { failed: 'p95<1%', latency: 'p95<200 ms', for: 0, within: '1s' } } },
      }),
    ).toEqual([
      'faults.r.recovered.within is not an option of recovered. Its options are failed, latency, for.',
      `faults.r.recovered.failed: threshold "p95<1%" on "failed": "p(95)" does not apply to a Rate, which supports rate; write e.g. 'rate<1%'`,
      expect.stringMatching(/^faults\.r\.recovered\.latency: invalid threshold "p95<200 ms": .*column.*; write e\.g\. 'p95<200ms'$/),
      'faults.r.recovered.for must be a positive duration such as "500ms", "30s", "1m30s" or "1h", received 0',
    ]);
  });

  test('targets: upstream, command, env, cwd and ready', () => {
    expect(
      issuesOf({
        targets: {
          a: {},
          b: { upstream: 'ftp://127.0.0.1:21' },
          c: { upstream: 'tcp://127.0.0.1', ready: { timeout: '1s' } },
          d: { upstream: 'http://127.0.0.1:1', command: 'node server.js' },
          e: { upstream: 'http://127.0.0.1:1', command: ['mcprun-no-such-program'], env: { TOKEN: 1234, OK: 'x' }, cwd: 'no/such/dir', ready: { timeot: '1s', url: 'health' } },
          'f g': { upstream: 'http://127.0.0.1:1' },
        },
      }),
    ).toEqual([
      'targets["f g"] has an invalid name: use letters, digits, "_" and "-" only',
      "targets.a.upstream is required: write e.g. upstream: 'http://127.0.0.1:8080'",
      'targets.b.upstream has the scheme "ftp:", expected one of http://, https://, ws://, wss://, tcp://',
      'targets.c.upstream needs a port: "tcp://127.0.0.1" has none, e.g. tcp://127.0.0.1:6379',
      "targets.c.ready applies only to a target mcprun starts: add command: ['node', 'server.js'], or remove ready",
      'targets.d.command must be a non-empty array of strings, the program then its arguments, received "node server.js"; write command: ["node","server.js"] (no shell: one string per argument)',
      `targets.e.env must be an object of strings, e.g. env: { PORT: '9000' }; "TOKEN" is not a string: quote the value`,
      `targets.e.cwd is not a folder: ${JSON.stringify(join(process.cwd(), 'no/such/dir'))} (a relative cwd starts at the scenario file's folder)`,
      `targets.e.command[0] "mcprun-no-such-program" cannot be started: it is not an executable on PATH. Install it, or write its full path.`,
      'targets.e.ready.timeot is not an option of ready; did you mean "timeout"? Its options are timeout, url.',
      "targets.e.ready.url must be a path on the upstream such as '/health', or an http:// URL, received \"health\"",
    ]);
  });

  test('the issues make one MCPRUN_CONFIG error (exit 104) listing every problem', () => {
    let err: unknown;
    try {
      resolveFaultConfig({ targets: { api }, faults: { a: { target: 'ap', kind: 'reset' }, b: { target: 'api', kind: 'boom' } } }, scenarios, 'scenario.ts');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'MCPRUN_CONFIG', exitCode: 104 });
    expect((err as Error).message).toMatchInlineSnapshot(`
      "invalid configuration in scenario.ts:
        - faults.a.target names a target that does not exist: "ap"; did you mean "api"? Targets: api.
        - faults.b.kind "boom" is not a fault kind. Kinds: latency, bandwidth, reset, refuse, blackhole, timeout, slow-close, limit-data, http-error, http-delay, kill, pause, restart.
      Fix these 2 problems and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `);
  });
});

describe('helpers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcprun-path-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('findExecutable: PATH lookup, paths relative to cwd, only executable files', () => {
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
    writeFileSync(join(dir, 'plain'), '');
    chmodSync(join(dir, 'tool'), 0o755);
    expect(findExecutable('tool', '/', `/nonexistent:${dir}`)).toBe(join(dir, 'tool'));
    expect(findExecutable('plain', '/', dir)).toBeUndefined();
    expect(findExecutable('./tool', dir, '')).toBe(join(dir, 'tool'));
    expect(findExecutable('tool', '/', '/usr/bin')).toBeUndefined();
    expect(findExecutable(dir, '/', '')).toBeUndefined();
  });

  test('byte sizes and rates', () => {
    expect(parseByteSize('512B')).toBe(512);
    expect(parseByteSize('64KB')).toBe(64_000);
    expect(parseByteSize('1.5 MiB')).toBe(1_572_864);
    expect(parseByteSize('10')).toBeUndefined();
    // The threshold grammar's case rules: "mb" could be millibits.
    expect(parseByteSize('64mb')).toBeUndefined();
    expect(suggestByteText('64mb')).toBe('64MB');
    expect(suggestByteText('1kib/s')).toBe('1KiB/s');
    expect(parseByteRate('100KB/s')).toBe(100_000);
    expect(parseByteRate('2 GiB / s')).toBe(2 * 1024 ** 3);
    expect(parseByteRate('100KB')).toBeUndefined();
  });
});
