/** --local-ips parsing and the open-file budget rule: pure functions, pinned with their messages. */
import { describe, expect, test } from 'vitest';
import { checkSocketBudget, filesForVus, workersThatFit } from '../../../runtime/coordinator/fd-limit.js';
import { peakConcurrentVus } from '../../../runtime/coordinator/plan.js';
import type { ResolvedScenario } from '../../../runtime/executors/resolved.js';
import { SourceAddresses, countLocalIps, localIpAt, parseLocalIps } from '../../../runtime/protocols/local-ips.js';

describe('--local-ips', () => {
  test('ranges and single addresses, round-robin from the worker offset', () => {
    const r = parseLocalIps('127.0.0.2-127.0.0.4, 127.0.1.1,::1');
    expect(countLocalIps(r)).toBe(5);
    expect([0, 1, 2, 3, 4].map((i) => localIpAt(r, i))).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.1.1', '::1']);
    const sources = new SourceAddresses(r, 1);
    expect(Array.from({ length: 6 }, () => sources.next())).toEqual(['127.0.0.3', '127.0.0.4', '127.0.1.1', '::1', '127.0.0.2', '127.0.0.3']);
    expect(new SourceAddresses(undefined).next()).toBeUndefined();
  });

  test('a range across octets', () => {
    const r = parseLocalIps('127.0.0.254-127.0.1.1');
    expect(countLocalIps(r)).toBe(4);
    expect(localIpAt(r, 3)).toBe('127.0.1.1');
  });

  test.each([
    ['127.0.0.2-12', 'is not a range of two IPv4 addresses'],
    ['127.0.0.9-127.0.0.2', 'ends before it starts'],
    ['localhost', 'is not an IP address'],
    ['127.0.0.1,,127.0.0.2', 'has an empty item'],
    ['10.0.0.0-10.255.255.255,11.0.0.0-11.0.0.1', 'at most 16777216 are supported'],
  ])('%s is refused (exit 104): %s', (spec, msg) => {
    expect(() => parseLocalIps(spec)).toThrow(msg);
    try {
      parseLocalIps(spec);
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(104);
    }
  });
});

const base = { exec: 'default', env: {}, tags: {}, startTimeMs: 0, after: undefined, gracefulStopMs: 30_000, thresholds: {}, idOffset: 0 };
const cvus = (name: string, vus: number, after?: string) => ({ ...base, name, executor: 'constant-vus', vus, durationMs: 1000, after }) as ResolvedScenario;

describe('open-file budget', () => {
  test('peak VUs: chained scenarios do not add up, parallel ones do', () => {
    expect(peakConcurrentVus([cvus('a', 100), cvus('b', 50, 'a'), cvus('c', 70, 'b')])).toEqual({ vus: 100, scenarios: ['a'] });
    expect(peakConcurrentVus([cvus('a', 100), cvus('b', 50)]).vus).toBe(150);
    // c runs after a, but in parallel with b: max(a + b, b + c)
    expect(peakConcurrentVus([cvus('a', 10), cvus('b', 50), cvus('c', 70, 'a')])).toEqual({ vus: 120, scenarios: ['b', 'c'] });
  });

  test('the rule: sockets x 1.05 + 100 per process', () => {
    expect(filesForVus(1000)).toBe(1150);
    expect(workersThatFit(100_000, 20_000)).toBe(6);
    expect(filesForVus(Math.ceil(100_000 / 6))).toBeLessThanOrEqual(20_000);
    expect(filesForVus(100_000 / 5)).toBeGreaterThan(20_000);
    expect(workersThatFit(10, 50)).toBeUndefined();
  });

  test('100K VUs on threads is refused with the --workers/--pool advice; on 6 processes it fits', () => {
    const plan = peakConcurrentVus([cvus('hold', 100_000)]);
    expect(() => checkSocketBudget(plan, 2, 'threads', 20_000)).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: the plan needs more sockets than the open-file limit allows: up to 100,000 VUs at once (scenario "hold") × 1 connection each, plus headroom, is 105,100 open files in the one process that --pool threads uses for all 2 workers, but the open-file limit (ulimit -n) is 20,000.]`,
    );
    try {
      checkSocketBudget(plan, 2, 'threads', 20_000);
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(104);
      expect((e as { hint: string }).hint).toBe('Run with --workers 6 --pool processes (about 17,601 open files per process), or raise the limit (ulimit -n) where you can.');
    }
    expect(() => checkSocketBudget(plan, 5, 'processes', 20_000)).toThrow(/each of the 5 worker processes/);
    expect(() => checkSocketBudget(plan, 6, 'processes', 20_000)).not.toThrow();
    expect(() => checkSocketBudget(plan, 2, 'threads', Infinity)).not.toThrow();
  });
});
