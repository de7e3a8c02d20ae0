/**
 * Byte units for thresholds on byte-valued metrics (`contains: 'data'`): `value<2KB`,
 * `max<512MiB`. Decimal prefixes are powers of 1000 (`kB` and `KB` alike, as most tools print
 * them), binary ones powers of 1024. Case is significant (`mb` would read as millibits to some and
 * megabytes to others): a wrong case is an error whose advice names the unit meant.
 *
 * Pure: the grammar and the validator use this table; only metrics whose values are bytes take
 * these units (the validator says so, as it does for time units).
 */
import type { Rational } from './rational.js';

export type ByteUnit = 'B' | 'kB' | 'KB' | 'KiB' | 'MB' | 'MiB' | 'GB' | 'GiB';

/** Bytes in one of each unit. */
export const BYTE_UNIT_FACTORS: Readonly<Record<ByteUnit, bigint>> = {
  B: 1n,
  kB: 1000n,
  KB: 1000n,
  KiB: 1024n,
  MB: 1000n ** 2n,
  MiB: 1024n ** 2n,
  GB: 1000n ** 3n,
  GiB: 1024n ** 3n,
};

export const BYTE_UNITS = Object.keys(BYTE_UNIT_FACTORS) as readonly ByteUnit[];

export function isByteUnit(text: string): text is ByteUnit {
  return Object.hasOwn(BYTE_UNIT_FACTORS, text);
}

/** What the unit multiplies the written number by, as the grammar's exact scale. */
export function byteUnitScale(unit: ByteUnit): Rational {
  return { num: BYTE_UNIT_FACTORS[unit], den: 1n };
}

/** `1.5` KiB → 1536 bytes, exactly (`literal` is the plain decimal the grammar accepts: `\d+(\.\d+)?`). */
export function bytesExact(literal: string, unit: ByteUnit): Rational {
  if (!/^-?\d+(\.\d+)?$/.test(literal)) throw new RangeError(`not a plain decimal: ${JSON.stringify(literal)}`);
  const [whole, fraction = ''] = literal.split('.');
  let num = BigInt(whole + fraction) * BYTE_UNIT_FACTORS[unit];
  let den = 10n ** BigInt(fraction.length);
  const g = gcd(num < 0n ? -num : num, den);
  if (g > 1n) [num, den] = [num / g, den / g];
  return { num, den };
}

/** The same as a number of bytes (`2`, `KB` → 2000). */
export function bytes(value: number, unit: ByteUnit): number {
  return value * Number(BYTE_UNIT_FACTORS[unit]);
}

/** The unit a wrongly cased one meant: `mb` → `MB`, `kib` → `KiB`, `gb` → `GB`; undefined when none. */
export function suggestByteUnit(text: string): ByteUnit | undefined {
  const lower = text.toLowerCase();
  if (lower === 'kb') return 'kB';
  return BYTE_UNITS.find((u) => u.toLowerCase() === lower);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
