/**
 * Threshold expressions, as written in `options.thresholds`:
 *
 * ```
 * threshold   := ws* aggregation ws* operator ws* value unit? ws*
 * aggregation := "avg" | "min" | "max" | "med" | "count" | "rate" | "value"
 *              | "p(" number ")" | "p" number        (p95, p99.9, p(99.99); the percentile is 0 to 100)
 * operator    := "<" | "<=" | ">" | ">=" | "==" | "===" | "!="     ("===" means "==")
 * value       := "-"? number
 * number      := digits ("." digits)?                (".5" and "5." are rejected: write "0.5", "5")
 * unit        := "us" | "µs" | "ms" | "s" | "m"      (times; a bare number on a time trend is ms, as in k6)
 *              | "%"                                 (rates: 0.05% = 0.0005)
 *              | "/s" | "/m"                         (counter rate per second / per minute: rate>10000/s)
 *              | "B" | "kB" | "KB" | "MB" | "GB"     (bytes, powers of 1000: value<2KB is 2000 bytes)
 *              | "KiB" | "MiB" | "GiB"               (bytes, powers of 1024; byte-units.ts)
 * digits      := [0-9]+
 * ws          := any Unicode white space
 * ```
 *
 * The unit follows the number directly (`10ms`, not `10 ms`). Which aggregations and units a metric
 * accepts is the validator's business; this file only checks the shape. Every error names the input,
 * the column, what was found and what was expected.
 */
import { McprunError } from '../errors.js';
import { byteUnitScale, isByteUnit, suggestByteUnit, type ByteUnit } from './byte-units.js';
import type { Rational } from './rational.js';
import { nearestName, tokenize, type Token } from './tokenizer.js';

export type SimpleAggregationKind = 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value';
export type AggregationKind = SimpleAggregationKind | 'percentile';
export type Aggregation =
  | { readonly kind: SimpleAggregationKind; readonly percentile?: undefined }
  | { readonly kind: 'percentile'; readonly percentile: number };
export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
export type ThresholdUnit = 'us' | 'ms' | 's' | 'm' | '%' | '/s' | '/m' | ByteUnit;

export type { Rational };

export interface ParsedThreshold {
  /** The expression as the user wrote it. */
  readonly source: string;
  readonly aggregation: Aggregation;
  readonly operator: ThresholdOperator;
  /** The number as written, sign included (`-0.50` stays `-0.50`). */
  readonly literal: string;
  /** `µs` is reported as `us`. */
  readonly unit: ThresholdUnit | undefined;
  /** The value in the metric's unit (times in ms, `%` as a fraction, `/m` per second, sizes in bytes): the double nearest to `exact`. */
  readonly value: number;
  /** The same value as an exact rational: `0.05%` is 1/2000, `100/m` is 5/3. */
  readonly exact: Rational;
}

export interface MetricKey {
  readonly metric: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Column (1-based, in the key) where each tag's value starts: for messages about a value. */
  readonly valueColumns: Readonly<Record<string, number>>;
}

const SIMPLE_AGGREGATIONS: readonly SimpleAggregationKind[] = ['avg', 'min', 'max', 'med', 'count', 'rate', 'value'];
const AGGREGATION_ALIASES: Readonly<Record<string, SimpleAggregationKind>> = {
  average: 'avg',
  mean: 'avg',
  median: 'med',
  minimum: 'min',
  maximum: 'max',
};
const OPERATORS: readonly ThresholdOperator[] = ['<', '<=', '>', '>=', '==', '===', '!='];
/** Operators people type by habit from other languages, and what they meant. */
const OPERATOR_FIXES: Readonly<Record<string, readonly ThresholdOperator[]>> = {
  '=<': ['<='],
  '=>': ['>='],
  '<<': ['<', '<='],
  '>>': ['>', '>='],
  '<==': ['<='],
  '>==': ['>='],
  '=': ['=='],
  '====': ['==='],
  '!': ['!='],
  '!==': ['!='],
  '=!': ['!='],
  '<>': ['!='],
};
const UNIT_WORDS: Readonly<Record<string, ThresholdUnit>> = { us: 'us', µs: 'us', ms: 'ms', s: 's', m: 'm' };
/** Spellings of the time units that are not units here, for "did you mean" (matched lower-cased). */
const UNIT_ALIASES: Readonly<Record<string, ThresholdUnit>> = {
  ...UNIT_WORDS,
  usec: 'us',
  usecs: 'us',
  micros: 'us',
  microsecond: 'us',
  microseconds: 'us',
  msec: 'ms',
  msecs: 'ms',
  millis: 'ms',
  millisecond: 'ms',
  milliseconds: 'ms',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
};
const ONE: Rational = { num: 1n, den: 1n };
/** What each unit but the byte units multiplies the written number by to reach the metric's unit (ms, fraction, per second). */
const UNIT_SCALE: Readonly<Record<Exclude<ThresholdUnit, ByteUnit>, Rational>> = {
  us: { num: 1n, den: 1000n },
  ms: ONE,
  s: { num: 1000n, den: 1n },
  m: { num: 60_000n, den: 1n },
  '%': { num: 1n, den: 100n },
  '/s': ONE,
  '/m': { num: 1n, den: 60n },
};

const NUMBER = /^\d+(\.\d+)?$/;
const EXPECTED_AGGREGATION = 'an aggregation (avg, min, max, med, count, rate, value, or a percentile such as p95 or p(99.9))';
const EXPECTED_OPERATOR = `an operator (${OPERATORS.join(', ')})`;
const EXPECTED_UNIT = 'a unit (us, ms, s, m, %, /s, /m, or bytes: B, kB, KB, KiB, MB, MiB, GB, GiB)';
const EXPECTED_END = 'the end of the expression';

/** Parses one threshold expression such as `p(95)<200ms`; throws MCPRUN_THRESHOLD_SYNTAX. */
export function parseThreshold(expr: string): ParsedThreshold {
  // Scenario files are JavaScript too: a number or an object can arrive here despite the types.
  if (typeof expr !== 'string') {
    throw new McprunError('MCPRUN_THRESHOLD_SYNTAX', `invalid threshold: expected a string such as "p(95)<200ms", received ${typeof expr}`);
  }
  return new ThresholdParser(expr).parse();
}

/** The canonical spelling: `p(95)<100ms`, `rate<0.05%`; parsing it gives back the same threshold. */
export function formatThreshold(p: Pick<ParsedThreshold, 'aggregation' | 'operator' | 'literal' | 'unit'>): string {
  return `${formatAggregation(p.aggregation)}${p.operator}${p.literal}${p.unit ?? ''}`;
}

export function formatAggregation(aggregation: Aggregation): string {
  return aggregation.kind === 'percentile' ? `p(${plainDecimal(aggregation.percentile)})` : aggregation.kind;
}

/**
 * Splits `http_req_duration{status:200,method:GET}` into the metric name and its tag filter.
 * White space around names, values and punctuation is ignored. A value runs to the next comma or
 * `}`, so it may contain ':' (`group:::setup` is the tag `group` with the value `::setup`). A value
 * may be empty only for `group` (`{group:}`: outside every group, k6's root group).
 */
export function parseMetricKey(key: string): MetricKey {
  const fail = (problem: string): never => {
    throw new McprunError('MCPRUN_THRESHOLD_SYNTAX', `invalid metric key ${JSON.stringify(key)}: ${problem}`);
  };
  const column = (index: number): number => Array.from(key.slice(0, index)).length + 1;
  const open = key.indexOf('{');
  const close = key.indexOf('}');
  const metric = key.slice(0, open === -1 ? key.length : open).trim();
  if (close !== -1 && (open === -1 || close < open)) fail(`unexpected "}" at column ${column(close)} without an opening "{"`);
  if (metric === '') {
    fail(open === -1 ? 'expected a metric name such as "http_req_duration"' : `expected a metric name before the "{" at column ${column(open)}`);
  }
  if (open === -1) return { metric, tags: {}, valueColumns: {} };
  if (close === -1) fail(`missing "}" to close the "{" at column ${column(open)}`);
  const nested = key.indexOf('{', open + 1);
  if (nested !== -1 && nested < close) fail(`unexpected "{" at column ${column(nested)} inside the tag filter`);
  const after = key.slice(close + 1);
  if (after.trim() !== '') {
    const at = close + 1 + after.length - after.trimStart().length;
    fail(`unexpected ${JSON.stringify(Array.from(after.trimStart())[0])} at column ${column(at)} after "}", expected the end of the key`);
  }
  const filter = key.slice(open + 1, close);
  if (filter.trim() === '') fail(`empty tag filter at column ${column(open)}, expected name:value pairs such as {status:200}`);
  const tags = new Map<string, string>();
  const columns = new Map<string, number>();
  let start = open + 1;
  for (const part of filter.split(',')) {
    const at = column(start + part.length - part.trimStart().length);
    const colon = part.indexOf(':');
    if (part.trim() === '') fail(`empty tag at column ${at}, expected name:value`);
    if (colon === -1) fail(`missing ":" in tag ${JSON.stringify(part.trim())} at column ${at}, expected name:value`);
    const name = part.slice(0, colon).trim();
    if (name === '') fail(`empty tag name at column ${at}, expected name:value`);
    if (tags.has(name)) fail(`tag ${JSON.stringify(name)} at column ${at} is already in the filter`);
    const raw = part.slice(colon + 1);
    const valueAt = column(start + colon + 1 + raw.length - raw.trimStart().length);
    // No sample carries a tag with an empty value: such a filter could only ever report "no data".
    // `group:` is k6's root group: the samples recorded outside every group (they carry no group tag).
    if (raw.trim() === '' && name !== 'group') fail(`empty value for tag ${JSON.stringify(name)} at column ${valueAt}, expected name:value such as {${name}:…}; a filter with an empty value matches no sample`);
    tags.set(name, raw.trim());
    columns.set(name, valueAt);
    start += part.length + 1;
  }
  // fromEntries, not assignment: a tag named "__proto__" must stay an ordinary key.
  return { metric, tags: Object.fromEntries(tags), valueColumns: Object.fromEntries(columns) };
}

class ThresholdParser {
  private readonly source: string;
  private readonly tokens: Token[];
  private index = 0;

  constructor(source: string) {
    this.source = source;
    this.tokens = tokenize(source);
  }

  parse(): ParsedThreshold {
    this.skipWhitespace();
    if (this.atEnd()) {
      this.fail('empty expression, expected an aggregation, an operator and a value, e.g. "p(95)<200ms"');
    }
    const aggregation = this.aggregation();
    this.skipWhitespace();
    const operator = this.operator();
    this.skipWhitespace();
    const literal = this.value();
    const unit = this.unit();
    this.skipWhitespace();
    if (!this.atEnd()) this.trailing(literal, unit);
    const exact = exactValue(literal, unit);
    return { source: this.source, aggregation, operator, literal, unit, value: rationalToNumber(exact), exact };
  }

  private get token(): Token {
    return this.tokens[this.index];
  }

  private skipWhitespace(): void {
    if (this.token.kind === 'whitespace') this.index++;
  }

  private aggregation(): Aggregation {
    const token = this.token;
    if (token.kind === 'number' && NUMBER.test(token.text)) {
      this.unexpected(token, EXPECTED_AGGREGATION, `did you mean "p${token.text}"?`);
    }
    if (token.kind !== 'word') this.unexpected(token, EXPECTED_AGGREGATION);
    this.index++;
    const simple = SIMPLE_AGGREGATIONS.find((name) => name === token.text);
    if (simple) return { kind: simple };
    if (token.text === 'p') return { kind: 'percentile', percentile: this.parenthesizedPercentile() };
    if (/^p[0-9.]+$/.test(token.text)) {
      return { kind: 'percentile', percentile: this.percentile(token.text.slice(1), token.column + 1) };
    }
    const suggestion = suggestAggregation(token.text);
    this.fail(
      `unknown aggregation ${JSON.stringify(token.text)} at column ${token.column}, expected ${EXPECTED_AGGREGATION}` +
        (suggestion ? `; did you mean "${suggestion}"?` : ''),
    );
  }

  /** After a bare `p`: `(` number `)`, with nothing in between. */
  private parenthesizedPercentile(): number {
    const p = this.tokens[this.index - 1];
    if (!this.atPunct('(')) this.unexpected(this.token, 'a percentile right after "p", e.g. "p95" or "p(95)"');
    this.index++;
    if (this.atPunct(')')) {
      this.fail(`empty percentile "p()" at column ${p.column}, expected a number from 0 to 100 between the parentheses, e.g. "p(95)"`);
    }
    const number = this.token;
    if (number.kind !== 'number') this.unexpected(number, 'a percentile from 0 to 100, e.g. "p(95)"');
    this.index++;
    const percentile = this.percentile(number.text, number.column);
    if (!this.atPunct(')')) this.unexpected(this.token, '")" to close "p("');
    this.index++;
    return percentile;
  }

  private percentile(text: string, column: number): number {
    this.checkNumber(text, column);
    const { num, den } = exactValue(text, undefined);
    if (num > 100n * den) this.fail(`percentile ${text} at column ${column} is out of range, expected a number from 0 to 100`);
    return Number(text);
  }

  private operator(): ThresholdOperator {
    const token = this.token;
    if (token.kind !== 'operator') this.unexpected(token, EXPECTED_OPERATOR);
    const operator = OPERATORS.find((candidate) => candidate === token.text);
    if (!operator) {
      const fixes = OPERATOR_FIXES[token.text];
      this.fail(
        `unknown operator ${JSON.stringify(token.text)} at column ${token.column}, expected ${EXPECTED_OPERATOR}` +
          (fixes ? `; did you mean ${fixes.map((fix) => `"${fix}"`).join(' or ')}?` : ''),
      );
    }
    this.index++;
    return operator;
  }

  /** Returns the number as written, with its sign. */
  private value(): string {
    let sign = '';
    if (this.atPunct('-')) {
      sign = '-';
      this.index++;
      if (this.token.kind !== 'number') this.unexpected(this.token, 'digits right after "-"');
    }
    const token = this.token;
    if (token.kind !== 'number') this.unexpected(token, 'a number');
    this.checkNumber(token.text, token.column);
    this.index++;
    return sign + token.text;
  }

  /** A unit directly after the number, or undefined when white space or the end follows it. */
  private unit(): ThresholdUnit | undefined {
    const token = this.token;
    if (token.kind === 'whitespace' || token.kind === 'end') return undefined;
    const text = this.unitTextAt(this.index);
    if (text === undefined) {
      if (this.atPunct('/')) this.unexpected(this.tokens[this.index + 1], '"s" or "m" right after "/" (per second, per minute)');
      this.unexpected(token, `${EXPECTED_UNIT} or ${EXPECTED_END}`);
    }
    const unit = exactUnit(text);
    if (unit === undefined) {
      const suggestion = suggestUnit(text);
      // `1e5` tokenizes as the number 1 followed by the word `e5`.
      const advice = /^e\d*$/i.test(text)
        ? '; write the number without an exponent'
        : suggestion
          ? `; did you mean "${suggestion}"?`
          : '';
      this.fail(`unknown unit ${JSON.stringify(text)} at column ${token.column}, expected ${EXPECTED_UNIT}${advice}`);
    }
    this.index += text.startsWith('/') ? 2 : 1;
    return unit;
  }

  /** Something other than the end follows the value; `10 ms` and `10 sec` get told where the unit goes. */
  private trailing(literal: string, unit: ThresholdUnit | undefined): never {
    const text = unit === undefined ? this.unitTextAt(this.index) : undefined;
    const intended = text === undefined ? undefined : (exactUnit(text) ?? suggestUnit(text));
    this.unexpected(
      this.token,
      EXPECTED_END,
      intended ? `write the unit right after the number: "${literal}${intended}"` : undefined,
    );
  }

  /** The text of a would-be unit starting at token `i`: a word, `%`, or `/` joined to the word after it. */
  private unitTextAt(i: number): string | undefined {
    const token = this.tokens[i];
    if (token.kind === 'word') return token.text;
    if (token.kind === 'punct' && token.text === '%') return '%';
    const next = this.tokens[i + 1];
    if (token.kind === 'punct' && token.text === '/' && next.kind === 'word') return `/${next.text}`;
    return undefined;
  }

  private checkNumber(text: string, column: number): void {
    if (NUMBER.test(text)) return;
    const problem = `malformed number ${JSON.stringify(text)} at column ${column}`;
    if (text.indexOf('.') !== text.lastIndexOf('.')) this.fail(`${problem}, expected at most one decimal point`);
    if (text === '.') this.fail(`${problem}, expected digits`);
    if (text.startsWith('.')) this.fail(`${problem}, expected a digit before the decimal point; write "0${text}"`);
    this.fail(`${problem}, expected digits after the decimal point; write "${text.slice(0, -1)}"`);
  }

  // A method, not `this.token.kind` inline: TypeScript would keep a narrowing across `this.index++`.
  private atEnd(): boolean {
    return this.token.kind === 'end';
  }

  private atPunct(text: string): boolean {
    return this.token.kind === 'punct' && this.token.text === text;
  }

  private unexpected(token: Token, expected: string, advice?: string): never {
    const found = token.kind === 'end' ? 'unexpected end of the expression' : `unexpected ${JSON.stringify(token.text)}`;
    this.fail(`${found} at column ${token.column}, expected ${expected}${advice ? `; ${advice}` : ''}`);
  }

  private fail(problem: string): never {
    throw new McprunError('MCPRUN_THRESHOLD_SYNTAX', `invalid threshold ${JSON.stringify(this.source)}: ${problem}`);
  }
}

function suggestAggregation(word: string): string | undefined {
  const percentile = /^p(\d+(?:\.\d+)?)/i.exec(word);
  if (percentile) return `p${percentile[1]}`;
  return AGGREGATION_ALIASES[word.toLowerCase()] ?? nearestName(word, SIMPLE_AGGREGATIONS);
}

function exactUnit(text: string): ThresholdUnit | undefined {
  if (text === '%' || text === '/s' || text === '/m' || isByteUnit(text)) return text;
  return UNIT_WORDS[text];
}

/** A unit the misspelled `text` probably meant: `sec` → `s`, `MS` → `ms`, `/min` → `/m`, `mb` → `MB`. */
function suggestUnit(text: string): string | undefined {
  const perTime = text.startsWith('/');
  const word = perTime ? text.slice(1) : text;
  // Byte units first: `mb` is a wrongly cased MB, not a typo of `ms`.
  const size = perTime ? undefined : suggestByteUnit(word);
  if (size !== undefined) return size;
  // Single letters are too short to guess from: `h` is hours, not a typo of `s` or `m`.
  const unit =
    UNIT_ALIASES[word.toLowerCase()] ?? (word.length > 1 ? nearestName(word, Object.keys(UNIT_WORDS), 1) : undefined);
  if (!perTime) return unit === undefined ? undefined : UNIT_WORDS[unit];
  return unit === 's' || unit === 'm' ? `/${unit}` : undefined;
}

/** The written decimal times the unit's scale, as an exact fraction: no floating point is involved. */
function exactValue(literal: string, unit: ThresholdUnit | undefined): Rational {
  const [whole, fraction = ''] = literal.split('.');
  const scale = unit === undefined ? ONE : isByteUnit(unit) ? byteUnitScale(unit) : UNIT_SCALE[unit];
  return reduce(BigInt(whole + fraction) * scale.num, 10n ** BigInt(fraction.length) * scale.den);
}

function reduce(num: bigint, den: bigint): Rational {
  let a = num < 0n ? -num : num;
  let b = den;
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? { num: 0n, den: 1n } : { num: num / a, den: den / a };
}

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/**
 * The double nearest to num/den (ties to even): what Number('0.0005') gives for a decimal, but also
 * for fractions that are not decimals (`100/m` is 5/3). All in BigInt: the quotient is taken with two
 * or three bits to spare plus a sticky remainder, then rounded to the 53 bits a double holds (fewer
 * for subnormals).
 */
function rationalToNumber({ num, den }: Rational): number {
  if (num === 0n) return 0;
  const negative = num < 0n;
  const n = negative ? -num : num;
  // Scale by 2^-exponent so that the integer quotient has 55 or 56 bits.
  let exponent = bitLength(n) - bitLength(den) - 55;
  const [dividend, divisor] = exponent >= 0 ? [n, den << BigInt(exponent)] : [n << BigInt(-exponent), den];
  let mantissa = dividend / divisor;
  const sticky = dividend % divisor !== 0n;
  // Keep 53 bits, or fewer when the result is below the smallest normal double (2^-1022).
  const drop = Math.max(bitLength(mantissa) - 53, -1074 - exponent);
  const dropped = mantissa & ((1n << BigInt(drop)) - 1n);
  const half = 1n << BigInt(drop - 1);
  mantissa >>= BigInt(drop);
  exponent += drop;
  if (dropped > half || (dropped === half && (sticky || (mantissa & 1n) === 1n))) mantissa += 1n;
  // Both factors are exact and so is their product, unless it overflows to Infinity as it should.
  const magnitude = Number(mantissa) * 2 ** exponent;
  return negative ? -magnitude : magnitude;
}

/** `1e-7` → `0.0000001`: percentiles are printed without exponents so the grammar can read them back. */
function plainDecimal(x: number): string {
  const [mantissa, exponent] = String(x).split('e');
  if (exponent === undefined) return mantissa;
  return `0.${'0'.repeat(-Number(exponent) - 1)}${mantissa.replace('.', '')}`;
}
