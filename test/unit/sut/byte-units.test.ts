import { describe, expect, test } from 'vitest';
import { BYTE_UNITS, bytes, bytesExact, byteUnitScale, isByteUnit, suggestByteUnit, type ByteUnit } from '../../../runtime/thresholds/byte-units.js';

describe('byte units', () => {
  // literal, unit, bytes (a fraction when not a whole number: kept exact, not rounded)
  const TABLE = `
    2 B 2 | 2 KB 2000 | 2 kB 2000 | 1.5 KiB 1536 | 3.1 KB 3100 | 0.5 MiB 524288 | 512 MiB 536870912
    313.7 MB 313700000 | 1 GB 1000000000 | 2 GiB 2147483648 | 1.1 GiB 5905580032/5 | 0.001 KiB 128/125
    -1 KB -1000 | 0 GiB 0`;
  const rows = TABLE.split(/[|\n]/).map((r) => r.trim()).filter(Boolean).map((r) => r.split(' ') as [string, ByteUnit, string]);
  test.each(rows)('%s %s = %s bytes', (literal, unit, expected) => {
    const [num, den = '1'] = expected.split('/');
    expect(bytesExact(literal, unit)).toEqual({ num: BigInt(num), den: BigInt(den) });
    expect(bytes(Number(literal), unit)).toBeCloseTo(Number(num) / Number(den), 6);
  });

  test('decimal units are powers of 1000, binary ones powers of 1024, as the grammar scale', () => {
    expect(BYTE_UNITS).toEqual(['B', 'kB', 'KB', 'KiB', 'MB', 'MiB', 'GB', 'GiB']);
    expect(BYTE_UNITS.map((u) => byteUnitScale(u).num)).toEqual([1n, 1000n, 1000n, 1024n, 10n ** 6n, 2n ** 20n, 10n ** 9n, 2n ** 30n]);
    expect(BYTE_UNITS.every((u) => byteUnitScale(u).den === 1n)).toBe(true);
  });

  test('case is significant; a wrongly cased unit gets the one meant as advice', () => {
    for (const wrong of ['kb', 'mb', 'Mb', 'kib', 'KIB', 'gib', 'b', 'toString', 'ms']) expect(isByteUnit(wrong)).toBe(false);
    expect(['kb', 'mb', 'Mb', 'kib', 'KIB', 'gib', 'b', 'gb'].map(suggestByteUnit)).toEqual(['kB', 'MB', 'MB', 'KiB', 'KiB', 'GiB', 'B', 'GB']);
    expect(suggestByteUnit('ms')).toBeUndefined();
  });

  test('a literal the grammar would not pass is refused', () => {
    expect(() => bytesExact('1e3', 'KB')).toThrow(RangeError);
    expect(() => bytesExact('.5', 'KB')).toThrow(RangeError);
  });
});
