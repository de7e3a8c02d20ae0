import { describe, expect, test } from 'vitest';
import { McprunError } from '../../../runtime/errors.js';
import {
  formatThreshold,
  parseMetricKey,
  parseThreshold,
  type Aggregation,
  type ThresholdOperator,
  type ThresholdUnit,
} from '../../../runtime/thresholds/index.js';

const p = (percentile: number): Aggregation => ({ kind: 'percentile', percentile });

describe('parseThreshold accepts', () => {
  test.each<[string, Aggregation, ThresholdOperator, string, ThresholdUnit | undefined, number]>([
    ['avg<200', { kind: 'avg' }, '<', '200', undefined, 200],
    ['min>0', { kind: 'min' }, '>', '0', undefined, 0],
    ['max<=1500ms', { kind: 'max' }, '<=', '1500', 'ms', 1500],
    ['med>=1s', { kind: 'med' }, '>=', '1', 's', 1000],
    ['count>100', { kind: 'count' }, '>', '100', undefined, 100],
    ['count==0', { kind: 'count' }, '==', '0', undefined, 0],
    ['rate<0.05%', { kind: 'rate' }, '<', '0.05', '%', 0.0005],
    ['rate<100%', { kind: 'rate' }, '<', '100', '%', 1],
    ['rate<0.01', { kind: 'rate' }, '<', '0.01', undefined, 0.01],
    ['rate>10000/s', { kind: 'rate' }, '>', '10000', '/s', 10000],
    ['rate>600/m', { kind: 'rate' }, '>', '600', '/m', 10],
    ['rate>=100/m', { kind: 'rate' }, '>=', '100', '/m', 100 / 60],
    ['value==1', { kind: 'value' }, '==', '1', undefined, 1],
    ['value===3', { kind: 'value' }, '===', '3', undefined, 3],
    ['value!=-1', { kind: 'value' }, '!=', '-1', undefined, -1],
    ['value>-0', { kind: 'value' }, '>', '-0', undefined, 0],
    ['min>-0.5', { kind: 'min' }, '>', '-0.5', undefined, -0.5],
    ['max<007', { kind: 'max' }, '<', '007', undefined, 7],
    ['p95<100ms', p(95), '<', '100', 'ms', 100],
    ['p(95)<100ms', p(95), '<', '100', 'ms', 100],
    ['p99.9<2s', p(99.9), '<', '2', 's', 2000],
    ['p(99.99)<=2s', p(99.99), '<=', '2', 's', 2000],
    ['p99.99<1m', p(99.99), '<', '1', 'm', 60_000],
    ['p(0)>=0', p(0), '>=', '0', undefined, 0],
    ['p0<1', p(0), '<', '1', undefined, 1],
    ['p(100)<1.5m', p(100), '<', '1.5', 'm', 90_000],
    ['p100<1', p(100), '<', '1', undefined, 1],
    ['p50<500us', p(50), '<', '500', 'us', 0.5],
    ['p50<500µs', p(50), '<', '500', 'us', 0.5],
    ['avg<1.005s', { kind: 'avg' }, '<', '1.005', 's', 1005],
    ['  p95 < 200ms  ', p(95), '<', '200', 'ms', 200],
    ['med < 10ms', { kind: 'med' }, '<', '10', 'ms', 10],
    ['avg\t<=\t5', { kind: 'avg' }, '<=', '5', undefined, 5],
    ['value<2KB', { kind: 'value' }, '<', '2', 'KB', 2000],
    ['value<2kB', { kind: 'value' }, '<', '2', 'kB', 2000],
    ['value<2KiB', { kind: 'value' }, '<', '2', 'KiB', 2048],
    ['max<512MiB', { kind: 'max' }, '<', '512', 'MiB', 512 * 2 ** 20],
    ['max < 313.7MB', { kind: 'max' }, '<', '313.7', 'MB', 313_700_000],
    ['p95<1.5GiB', p(95), '<', '1.5', 'GiB', 1.5 * 2 ** 30],
    ['avg<2GB', { kind: 'avg' }, '<', '2', 'GB', 2e9],
    ['count<100B', { kind: 'count' }, '<', '100', 'B', 100],
  ])('%j', (expr, aggregation, operator, literal, unit, value) => {
    expect(parseThreshold(expr)).toMatchObject({ source: expr, aggregation, operator, literal, unit, value });
  });
});

describe('parseThreshold rejects', () => {
  test.each<[string, number | undefined]>([
    ['', undefined],
    ['   ', undefined],
    ['averge<1', 1],
    ['p95x<1', 1],
    ['AVG<1', 1],
    ['foo<1', 1],
    ['95<1', 1],
    ['<1', 1],
    ['p95', 4],
    ['p95 100', 5],
    ['p95=<1', 4],
    ['p95<<1', 4],
    ['p95=>1', 4],
    ['p95=1', 4],
    ['p95<>1', 4],
    ['p95<', 5],
    ['p95<ms', 5],
    ['p95<-', 6],
    ['p95<+5', 5],
    ['p95<1.2.3', 5],
    ['p95<.5', 5],
    ['p95<5.', 5],
    ['p95<1e5', 6],
    ['p95<10sec', 7],
    ['p95<10 sec', 8],
    ['p95<10 ms', 8],
    ['p95<10h', 7],
    ['rate<5/h', 7],
    ['rate<5/', 8],
    ['p95<10ms foo', 10],
    ['p95<10 0ms', 8],
    ['rate<10%%', 9],
    ['avg<10)', 7],
    ['p101<1', 2],
    ['p(100.5)<1', 3],
    ['p()<1', 1],
    ['p(<1', 3],
    ['p(95<1', 5],
    ['p (95)<1', 2],
    ['p<1', 2],
    ['p(-1)<1', 3],
  ])('%j (column %s)', (expr, column) => {
    let error: unknown;
    try {
      parseThreshold(expr);
    } catch (err) {
      error = err;
    }
    expect(McprunError.is(error)).toBe(true);
    const { code, message } = error as McprunError;
    expect(code).toBe('MCPRUN_THRESHOLD_SYNTAX');
    expect(message).toContain(`invalid threshold ${JSON.stringify(expr)}: `);
    if (column !== undefined) expect(message).toContain(`at column ${column}`);
  });
});

describe('parseThreshold error messages', () => {
  test('empty expression', () => {
    expect(() => parseThreshold('')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "": empty expression, expected an aggregation, an operator and a value, e.g. "p(95)<200ms"]`,
    );
    expect(() => parseThreshold('  ')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "  ": empty expression, expected an aggregation, an operator and a value, e.g. "p(95)<200ms"]`,
    );
  });

  test('not a string', () => {
    expect(() => parseThreshold(95 as unknown as string)).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold: expected a string such as "p(95)<200ms", received number]`,
    );
  });

  test('unknown aggregation, with the nearest one', () => {
    expect(() => parseThreshold('averge<1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "averge<1": unknown aggregation "averge" at column 1, expected an aggregation (avg, min, max, med, count, rate, value, or a percentile such as p95 or p(99.9)); did you mean "avg"?]`,
    );
    expect(() => parseThreshold('p95x<1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95x<1": unknown aggregation "p95x" at column 1, expected an aggregation (avg, min, max, med, count, rate, value, or a percentile such as p95 or p(99.9)); did you mean "p95"?]`,
    );
    expect(() => parseThreshold('median<1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "median<1": unknown aggregation "median" at column 1, expected an aggregation (avg, min, max, med, count, rate, value, or a percentile such as p95 or p(99.9)); did you mean "med"?]`,
    );
    expect(() => parseThreshold('foo<1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "foo<1": unknown aggregation "foo" at column 1, expected an aggregation (avg, min, max, med, count, rate, value, or a percentile such as p95 or p(99.9))]`,
    );
    expect(() => parseThreshold('95<1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "95<1": unexpected "95" at column 1, expected an aggregation (avg, min, max, med, count, rate, value, or a percentile such as p95 or p(99.9)); did you mean "p95"?]`,
    );
  });

  test('missing operator', () => {
    expect(() => parseThreshold('p95')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95": unexpected end of the expression at column 4, expected an operator (<, <=, >, >=, ==, ===, !=)]`,
    );
    expect(() => parseThreshold('p95 100')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95 100": unexpected "100" at column 5, expected an operator (<, <=, >, >=, ==, ===, !=)]`,
    );
  });

  test('bad operator, with what was meant', () => {
    expect(() => parseThreshold('p95=<1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95=<1": unknown operator "=<" at column 4, expected an operator (<, <=, >, >=, ==, ===, !=); did you mean "<="?]`,
    );
    expect(() => parseThreshold('p95 => 1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95 => 1": unknown operator "=>" at column 5, expected an operator (<, <=, >, >=, ==, ===, !=); did you mean ">="?]`,
    );
    expect(() => parseThreshold('p95<<1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95<<1": unknown operator "<<" at column 4, expected an operator (<, <=, >, >=, ==, ===, !=); did you mean "<" or "<="?]`,
    );
    expect(() => parseThreshold('p95=1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95=1": unknown operator "=" at column 4, expected an operator (<, <=, >, >=, ==, ===, !=); did you mean "=="?]`,
    );
    expect(() => parseThreshold('p95<=>1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95<=>1": unknown operator "<=>" at column 4, expected an operator (<, <=, >, >=, ==, ===, !=)]`,
    );
  });

  test('missing value', () => {
    expect(() => parseThreshold('p95<')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95<": unexpected end of the expression at column 5, expected a number]`,
    );
    expect(() => parseThreshold('p95 < ms')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95 < ms": unexpected "ms" at column 7, expected a number]`,
    );
    expect(() => parseThreshold('p95<- 5')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95<- 5": unexpected " " at column 6, expected digits right after "-"]`,
    );
  });

  test('bad number', () => {
    expect(() => parseThreshold('p95<1.2.3')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95<1.2.3": malformed number "1.2.3" at column 5, expected at most one decimal point]`,
    );
    expect(() => parseThreshold('rate<.5')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "rate<.5": malformed number ".5" at column 6, expected a digit before the decimal point; write "0.5"]`,
    );
    expect(() => parseThreshold('p95<5.ms')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95<5.ms": malformed number "5." at column 5, expected digits after the decimal point; write "5"]`,
    );
    expect(() => parseThreshold('count>1e5')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "count>1e5": unknown unit "e5" at column 8, expected a unit (us, ms, s, m, %, /s, /m, or bytes: B, kB, KB, KiB, MB, MiB, GB, GiB); write the number without an exponent]`,
    );
  });

  test('unknown unit, with the nearest one', () => {
    expect(() => parseThreshold('p95<10sec')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95<10sec": unknown unit "sec" at column 7, expected a unit (us, ms, s, m, %, /s, /m, or bytes: B, kB, KB, KiB, MB, MiB, GB, GiB); did you mean "s"?]`,
    );
    expect(() => parseThreshold('p95<10MS')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95<10MS": unknown unit "MS" at column 7, expected a unit (us, ms, s, m, %, /s, /m, or bytes: B, kB, KB, KiB, MB, MiB, GB, GiB); did you mean "ms"?]`,
    );
    expect(() => parseThreshold('rate>5/min')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "rate>5/min": unknown unit "/min" at column 7, expected a unit (us, ms, s, m, %, /s, /m, or bytes: B, kB, KB, KiB, MB, MiB, GB, GiB); did you mean "/m"?]`,
    );
    expect(() => parseThreshold('p95<1h')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95<1h": unknown unit "h" at column 6, expected a unit (us, ms, s, m, %, /s, /m, or bytes: B, kB, KB, KiB, MB, MiB, GB, GiB)]`,
    );
    // Byte units are case-sensitive (mb would be millibits to some): the unit meant is named.
    expect(() => parseThreshold('value<2kb')).toThrow(/unknown unit "kb" at column 8, .*; did you mean "kB"\?/);
    expect(() => parseThreshold('max<512mib')).toThrow(/unknown unit "mib" .*; did you mean "MiB"\?/);
    expect(() => parseThreshold('max<1Mb')).toThrow(/unknown unit "Mb" .*; did you mean "MB"\?/);
    expect(() => parseThreshold('max<1 MB')).toThrow(/write the unit right after the number: "1MB"/);
    expect(() => parseThreshold('rate>5/')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "rate>5/": unexpected end of the expression at column 8, expected "s" or "m" right after "/" (per second, per minute)]`,
    );
    expect(() => parseThreshold('p95<10 sec')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95<10 sec": unexpected "sec" at column 8, expected the end of the expression; write the unit right after the number: "10s"]`,
    );
    expect(() => parseThreshold('p95<10 ms')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95<10 ms": unexpected "ms" at column 8, expected the end of the expression; write the unit right after the number: "10ms"]`,
    );
  });

  test('trailing junk', () => {
    expect(() => parseThreshold('p95<10 0ms')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95<10 0ms": unexpected "0" at column 8, expected the end of the expression]`,
    );
    expect(() => parseThreshold('p95<10ms foo')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p95<10ms foo": unexpected "foo" at column 10, expected the end of the expression]`,
    );
    expect(() => parseThreshold('avg<10)')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "avg<10)": unexpected ")" at column 7, expected a unit (us, ms, s, m, %, /s, /m, or bytes: B, kB, KB, KiB, MB, MiB, GB, GiB) or the end of the expression]`,
    );
    expect(() => parseThreshold('rate<10%%')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "rate<10%%": unexpected "%" at column 9, expected the end of the expression]`,
    );
  });

  test('percentile out of range or empty', () => {
    expect(() => parseThreshold('p101<1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p101<1": percentile 101 at column 2 is out of range, expected a number from 0 to 100]`,
    );
    expect(() => parseThreshold('p(100.0000000000000000001)<1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p(100.0000000000000000001)<1": percentile 100.0000000000000000001 at column 3 is out of range, expected a number from 0 to 100]`,
    );
    expect(() => parseThreshold('p()<1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p()<1": empty percentile "p()" at column 1, expected a number from 0 to 100 between the parentheses, e.g. "p(95)"]`,
    );
    expect(() => parseThreshold('p(-1)<1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p(-1)<1": unexpected "-" at column 3, expected a percentile from 0 to 100, e.g. "p(95)"]`,
    );
    expect(() => parseThreshold('p(95<1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p(95<1": unexpected "<" at column 5, expected ")" to close "p("]`,
    );
    expect(() => parseThreshold('p<1')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid threshold "p<1": unexpected "<" at column 2, expected a percentile right after "p", e.g. "p95" or "p(95)"]`,
    );
  });
});

describe('value normalisation is exact', () => {
  test('rate<0.05% is 0.0005, exactly 5/10000', () => {
    const parsed = parseThreshold('rate<0.05%');
    expect(parsed.value).toBe(0.0005);
    // Lowest terms: 5/10000 = 1/2000.
    expect(parsed.exact).toEqual({ num: 1n, den: 2000n });
    expect(parsed.exact.num * 10000n).toBe(5n * parsed.exact.den);
  });

  test.each([
    // Each of these differs from what float arithmetic on Number(literal) gives.
    ['avg<1.005s', 1005, 1.005 * 1000],
    ['rate<0.57%', 0.0057, 0.57 / 100],
    ['avg<8.2us', 0.0082, 8.2 / 1000],
  ])('%s is %s, not %s', (expr, exact, float) => {
    expect(float).not.toBe(exact);
    expect(parseThreshold(expr).value).toBe(exact);
  });

  test.each([
    ['avg<500us', { num: 1n, den: 2n }],
    ['avg<2s', { num: 2000n, den: 1n }],
    ['avg<1.5m', { num: 90_000n, den: 1n }],
    ['rate>600/m', { num: 10n, den: 1n }],
    ['rate>100/m', { num: 5n, den: 3n }],
    ['rate>=2.5/s', { num: 5n, den: 2n }],
    ['value>-0.250', { num: -1n, den: 4n }],
    ['value==-0', { num: 0n, den: 1n }],
    ['value<3.1KB', { num: 3100n, den: 1n }],
    ['value<1.1GiB', { num: 5905580032n, den: 5n }],
    ['value<0.001KiB', { num: 128n, den: 125n }],
  ])('%s is exactly %o', (expr, exact) => {
    expect(parseThreshold(expr).exact).toEqual(exact);
  });

  test('a per-minute rate that is not a decimal is the nearest double', () => {
    expect(parseThreshold('rate>100/m').value).toBe(100 / 60);
    expect(parseThreshold('rate>0.001/m').value).toBe(1 / 60_000);
  });
});

describe('formatThreshold', () => {
  test.each([
    ['p95<100ms', 'p(95)<100ms'],
    [' rate < 0.05% ', 'rate<0.05%'],
    ['p99.90<=1µs', 'p(99.9)<=1us'],
    ['p0.0000001<1', 'p(0.0000001)<1'],
    ['value===-0.50', 'value===-0.50'],
    ['rate>10000/s', 'rate>10000/s'],
  ])('%j prints as %j, which parses back the same', (expr, canonical) => {
    const parsed = parseThreshold(expr);
    expect(formatThreshold(parsed)).toBe(canonical);
    expect(parseThreshold(canonical)).toEqual({ ...parsed, source: canonical });
  });
});

describe('parseMetricKey', () => {
  test.each([
    ['http_req_duration', 'http_req_duration', {}],
    ['http_req_duration{status:200,method:GET}', 'http_req_duration', { status: '200', method: 'GET' }],
    ['  http_req_duration { status : 200 , method:GET }  ', 'http_req_duration', { status: '200', method: 'GET' }],
    ['group_duration{group:::setup}', 'group_duration', { group: '::setup' }],
    ['checks{group:}', 'checks', { group: '' }],
  ])('%j', (key, metric, tags) => {
    expect(parseMetricKey(key)).toMatchObject({ metric, tags });
  });

  test('each value\'s column, for messages about a value', () => {
    expect(parseMetricKey('http_reqs{ status: 200,scenario:x}').valueColumns).toEqual({ status: 20, scenario: 33 });
  });

  test('a tag named __proto__ is an ordinary tag', () => {
    const { tags } = parseMetricKey('checks{__proto__:x}');
    expect(Object.keys(tags)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
  });

  test('errors', () => {
    expect(() => parseMetricKey(' ')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid metric key " ": expected a metric name such as "http_req_duration"]`,
    );
    expect(() => parseMetricKey('{status:200}')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid metric key "{status:200}": expected a metric name before the "{" at column 1]`,
    );
    expect(() => parseMetricKey('http_reqs{status:200')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid metric key "http_reqs{status:200": missing "}" to close the "{" at column 10]`,
    );
    expect(() => parseMetricKey('http_reqs}')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid metric key "http_reqs}": unexpected "}" at column 10 without an opening "{"]`,
    );
    expect(() => parseMetricKey('http_reqs{a:{b}}')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid metric key "http_reqs{a:{b}}": unexpected "{" at column 13 inside the tag filter]`,
    );
    expect(() => parseMetricKey('http_reqs{a:1} x')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid metric key "http_reqs{a:1} x": unexpected "x" at column 16 after "}", expected the end of the key]`,
    );
    expect(() => parseMetricKey('http_reqs{ }')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid metric key "http_reqs{ }": empty tag filter at column 10, expected name:value pairs such as {status:200}]`,
    );
    expect(() => parseMetricKey('http_reqs{status}')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid metric key "http_reqs{status}": missing ":" in tag "status" at column 11, expected name:value]`,
    );
    expect(() => parseMetricKey('http_reqs{a:1, :200}')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid metric key "http_reqs{a:1, :200}": empty tag name at column 16, expected name:value]`,
    );
    expect(() => parseMetricKey('http_reqs{a:1,}')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid metric key "http_reqs{a:1,}": empty tag at column 15, expected name:value]`,
    );
    expect(() => parseMetricKey('http_reqs{a:1,a:2}')).toThrowErrorMatchingInlineSnapshot(
      `[McprunError: invalid metric key "http_reqs{a:1,a:2}": tag "a" at column 15 is already in the filter]`,
    );
  });
});
