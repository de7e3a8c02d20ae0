import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formatDuration, parseDuration } from '../../../runtime/duration.js';
import { McprunError } from '../../../runtime/errors.js';

describe('durations', () => {
  test.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['2.5s', 2500],
    ['100us', 0.1],
    ['1h2m3s', 3_723_000],
    ['0s', 0],
    ['250', 250],
    [1500, 1500],
  ])('%j → %d ms', (input, ms) => {
    expect(parseDuration(input, 'x')).toBe(ms);
  });

  test.each(['5x', '', '-1s', 's', '1.s', '10 s', 'abc', '1m-2s', Number.NaN, -5])('%j is rejected with the option path', (input) => {
    expect(() => parseDuration(input as string, 'scenarios.a.duration')).toThrowError(McprunError);
    expect(() => parseDuration(input as string, 'scenarios.a.duration')).toThrowError(/scenarios\.a\.duration/);
  });

  test('zero can be refused', () => {
    expect(() => parseDuration('0s', '--duration', { allowZero: false })).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid duration "0s" for --duration: expected a positive duration such as "500ms", "30s", "1m30s" or "1h".]`,
    );
  });

  test('format → parse round-trips whole milliseconds (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 * 86_400_000 }), (ms) => {
        const back = parseDuration(formatDuration(ms), 'x');
        expect(Math.abs(back - ms)).toBeLessThanOrEqual(Math.max(50, ms * 0.001));
      }),
    );
  });

  test('parse never throws anything but McprunError (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseDuration(s, 'x');
        } catch (err) {
          expect(McprunError.is(err)).toBe(true);
        }
      }),
    );
  });
});
