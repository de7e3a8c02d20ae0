import { describe, expect, test } from 'vitest';
import { BYTE_UNITS, bytes, bytesExact, byteUnitScale, isByteUnit, suggestByteUnit, type ByteUnit } from '../../../runtime/thresholds/byte-units.js';

describe('byte units', () => {
  test.each<[string, ByteUnit, bigint, bigint]>([
    ['2', 'B', 2n, 1n],
    ['2', 'KB', 2000n, 1n],
    ['2', 'kB', 2000n, 1n],
    ['1.5', 'KiB', 1536n, 1n],
    ['3.1', 'KB', 3100n, 1n],
    ['0.5', 'MiB', 524_288n, 1n],
    ['512', 'MiB', 536_870_912n, 1n],
    ['313.7', 'MB', 313_700_000n, 1n],
    ['1', 'GB', 1_000_000_000n, 1n],
    ['2', 'GiB', 2_147_483_648n, 1n],
    // Not a whole number of bytes: kept exact, not rounded.
    ['1.1', 'GiB', 5_905_580_032n, 5n],
    ['0.001', 'KiB', 128n, 125n],
    ['-1', 'KB', -1000n, 1n],
    ['0', 'GiB', 0n, 1n],
  ])('%s %s = %d/%d bytes', (literal, unit, num, den) => {
    expect(bytesExact(literal, unit)).toEqual({ num, den });
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
