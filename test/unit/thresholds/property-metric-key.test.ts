/** parseMetricKey (the `metric{tag:value}` keys of thresholds) as properties (fast-check). */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { McprunError } from '../../../runtime/errors.js';
import { parseMetricKey } from '../../../runtime/thresholds/index.js';

/** Returns the key or rethrows anything that is not MCPRUN_THRESHOLD_SYNTAX (a TypeError from a bug). */
function parseOrSyntaxError(key: string): ReturnType<typeof parseMetricKey> | undefined {
  try {
    return parseMetricKey(key);
  } catch (err) {
    if (!McprunError.is(err) || err.code !== 'MCPRUN_THRESHOLD_SYNTAX') throw err;
    expect(err.message).toContain(JSON.stringify(key));
    return undefined;
  }
}

const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/);
/** A tag value: anything but the filter's own punctuation (',' ends it, '}' closes, '{' opens). */
const value = fc
  .string({ unit: fc.constantFrom(...'abcXYZ019 :._-/µ'.split('')), maxLength: 12 })
  .filter((v) => v.trim() !== '');

describe('parseMetricKey never throws anything but McprunError', () => {
  test('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => void parseOrSyntaxError(s)), { numRuns: 3000 });
  });

  test('on strings made of the key`s punctuation', () => {
    const unit = fc.constantFrom('{', '}', ',', ':', ' ', 'a', 'status', '200', '__proto__', 'constructor', '\t', '\u00a0');
    fc.assert(fc.property(fc.string({ unit, maxLength: 20 }), (s) => void parseOrSyntaxError(s)), { numRuns: 5000 });
  });
});

describe('well-formed keys', () => {
  test('metric{name:value,...} parses back to its parts, white space around them ignored', () => {
    fc.assert(
      fc.property(
        name,
        fc.uniqueArray(fc.tuple(name, value), { selector: ([k]) => k, maxLength: 5 }),
        fc.constantFrom('', ' ', '  '),
        (metric, tags, ws) => {
          const key = tags.length ? `${metric}${ws}{${tags.map(([k, v]) => `${ws}${k}${ws}:${v}`).join(',')}}${ws}` : `${ws}${metric}${ws}`;
          const parsed = parseOrSyntaxError(key);
          expect(parsed, key).toBeDefined();
          expect(parsed!.metric).toBe(metric);
          expect(parsed!.tags).toEqual(Object.fromEntries(tags.map(([k, v]) => [k, v.trim()])));
          // An ordinary object, even for a tag named "__proto__".
          expect(Object.keys(parsed!.tags).sort()).toEqual(tags.map(([k]) => k).sort());
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('an empty value (but for group, the root group) is an error that names its column', () => {
    fc.assert(
      fc.property(name.filter((n) => n !== 'group'), fc.constantFrom('', ' ', '  '), (tag, blank) => {
        const key = `http_reqs{${tag}:${blank}}`;
        const column = `http_reqs{${tag}:`.length + 1 + blank.length;
        expect(() => parseMetricKey(key)).toThrowError(new RegExp(`empty value for tag "${tag}" at column ${column}`));
      }),
    );
    expect(parseMetricKey('checks{group:}').tags).toEqual({ group: '' });
  });

  test('a repeated tag name is an error that names the column', () => {
    fc.assert(
      fc.property(name, name, value, value, (metric, tag, a, b) => {
        const key = `${metric}{${tag}:${a},${tag}:${b}}`;
        expect(() => parseMetricKey(key)).toThrowError(/is already in the filter/);
      }),
    );
  });
});
