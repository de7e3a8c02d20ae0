import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { McprunError } from '../../../runtime/errors.js';
import { formatThreshold, parseThreshold } from '../../../runtime/thresholds/index.js';

/** Returns normally or throws McprunError; anything else (a TypeError from a bug) fails the property. */
function parseOrMcprunError(expr: string): void {
  try {
    parseThreshold(expr);
  } catch (err) {
    if (!McprunError.is(err) || err.code !== 'MCPRUN_THRESHOLD_SYNTAX') throw err;
  }
}

const digits = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength, maxLength });

/** A decimal as the grammar writes it: digits, optionally a point and more digits. */
const decimal = (maxLength = 12) =>
  fc
    .tuple(digits(1, maxLength), fc.option(digits(1, maxLength), { nil: undefined }))
    .map(([whole, fraction]) => (fraction === undefined ? whole : `${whole}.${fraction}`));

const percentile = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 99 }), fc.option(digits(1, 6), { nil: undefined })).map(([whole, fraction]) =>
    fraction === undefined ? String(whole) : `${whole}.${fraction}`,
  ),
  fc.constantFrom('100', '100.0', '0', '0.0'),
);

const aggregation = fc.oneof(
  fc.constantFrom('avg', 'min', 'max', 'med', 'count', 'rate', 'value'),
  percentile.map((n) => `p${n}`),
  percentile.map((n) => `p(${n})`),
);
const operator = fc.constantFrom('<', '<=', '>', '>=', '==', '===', '!=');
const unit = fc.constantFrom('', 'us', 'µs', 'ms', 's', 'm', '%', '/s', '/m', 'B', 'kB', 'KB', 'KiB', 'MB', 'MiB', 'GB', 'GiB');
const ws = fc.constantFrom('', ' ', '  ', '\t');

const validExpression = fc
  .tuple(ws, aggregation, ws, operator, ws, fc.constantFrom('', '-'), decimal(), unit, ws)
  .map((parts) => parts.join(''));

describe('parseThreshold never fails with anything but McprunError', () => {
  test('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => parseOrMcprunError(s)), { numRuns: 2000 });
  });

  test('on strings made of the grammar characters', () => {
    const alphabet = fc.constantFrom(...'pavgminxedcoutrl()<>=!-.%/sµ0123456789 \t'.split(''), 'ms', 'p(', 'avg', 'rate');
    fc.assert(fc.property(fc.string({ unit: alphabet, maxLength: 16 }), (s) => parseOrMcprunError(s)), { numRuns: 5000 });
  });

  test('on valid expressions with one character changed', () => {
    fc.assert(
      fc.property(validExpression, fc.nat(), fc.string({ unit: 'grapheme-ascii', minLength: 0, maxLength: 2 }), (expr, at, insert) => {
        const i = at % (expr.length + 1);
        parseOrMcprunError(expr.slice(0, i) + insert + expr.slice(i + 1));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('valid expressions', () => {
  test('parse, and formatThreshold prints something that parses to the same threshold', () => {
    fc.assert(
      fc.property(validExpression, (expr) => {
        const parsed = parseThreshold(expr);
        const again = parseThreshold(formatThreshold(parsed));
        expect(again.aggregation).toEqual(parsed.aggregation);
        expect(again.operator).toBe(parsed.operator);
        expect(again.literal).toBe(parsed.literal);
        expect(again.unit).toBe(parsed.unit);
        expect(again.value).toBe(parsed.value);
        expect(again.exact).toEqual(parsed.exact);
        expect(formatThreshold(again)).toBe(formatThreshold(parsed));
      }),
      { numRuns: 3000 },
    );
  });

  test('exact is in lowest terms with a positive denominator', () => {
    const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
    fc.assert(
      fc.property(validExpression, (expr) => {
        const { num, den } = parseThreshold(expr).exact;
        expect(den > 0n).toBe(true);
        expect(gcd(num < 0n ? -num : num, den)).toBe(num === 0n ? den : 1n);
      }),
    );
  });
});

describe('value is the double nearest to the exact value', () => {
  // Number() of a decimal string rounds correctly, so it is the oracle for every unit that scales
  // by a power of ten, and for `m` once the literal is multiplied by 60000 in BigInt.
  const SHIFT: Record<string, number> = { '': 0, us: -3, µs: -3, ms: 0, s: 3, '%': -2, '/s': 0, B: 0, kB: 3, KB: 3, MB: 6, GB: 9 };
  // A written zero is exactly 0, so +0 even as "-0" (Number('-0') is -0); a tiny negative that
  // underflows still rounds to -0, as IEEE rounding keeps the sign.
  const nearest = (literal: string, decimalString: string): number => (/[1-9]/.test(literal) ? Number(decimalString) : 0);

  test('for decimal scalings', () => {
    fc.assert(
      fc.property(fc.constantFrom('', '-'), decimal(20), fc.constantFrom(...Object.keys(SHIFT)), (sign, literal, u) => {
        expect(parseThreshold(`value<${sign}${literal}${u}`).value).toBe(nearest(literal, `${sign}${literal}e${SHIFT[u]}`));
      }),
      { numRuns: 3000 },
    );
  });

  // Minutes and the binary byte units: the literal multiplied in BigInt, then one decimal string.
  test.each([
    ['m', 60_000n],
    ['KiB', 1024n],
    ['MiB', 1024n ** 2n],
    ['GiB', 1024n ** 3n],
  ])('for %s', (u, factor) => {
    fc.assert(
      fc.property(fc.constantFrom('', '-'), decimal(20), (sign, literal) => {
        const [whole, fraction = ''] = literal.split('.');
        const expected = nearest(literal, `${sign}${BigInt(whole + fraction) * factor}e-${fraction.length}`);
        expect(parseThreshold(`avg<${sign}${literal}${u}`).value).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  test('for per-minute rates, which are not decimals', () => {
    // Below 2^53 both parts are exact doubles and IEEE division rounds correctly: the oracle.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 12 }), (n, scale) => {
        const literal = scale === 0 ? String(n) : `${String(n).padStart(scale + 1, '0').slice(0, -scale)}.${String(n).padStart(scale + 1, '0').slice(-scale)}`;
        expect(parseThreshold(`rate>${literal}/m`).value).toBe(n / (60 * 10 ** scale));
      }),
      { numRuns: 3000 },
    );
  });

  test('down to subnormals and up to overflow', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), digits(1, 25), fc.constantFrom('', '-'), (zeros, significant, sign) => {
        const tiny = `${sign}0.${'0'.repeat(zeros)}${significant}`;
        const huge = `${sign}${significant}${'0'.repeat(zeros)}`;
        expect(parseThreshold(`value>${tiny}`).value).toBe(nearest(tiny, tiny));
        expect(parseThreshold(`value>${huge}`).value).toBe(nearest(huge, huge));
      }),
      { numRuns: 2000 },
    );
  });
});
