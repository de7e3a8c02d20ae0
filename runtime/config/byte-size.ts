/**
 * Sizes and rates of bytes as fault options write them: "64KB", "1.5MiB", "512B" and
 * "100KB/s", "1MiB/s", with the units (and their case rules) of thresholds/byte-units.ts: kB and
 * KB are 1000 bytes, KiB 1024. Returns bytes (or bytes per second), undefined when the text is not one.
 */
import { bytes, isByteUnit, suggestByteUnit } from '../thresholds/byte-units.js';

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$/;

export function parseByteSize(text: string): number | undefined {
  const m = SIZE.exec(text);
  if (!m || !isByteUnit(m[2])) return undefined;
  return Math.round(bytes(Number(m[1]), m[2]));
}

export function parseByteRate(text: string): number | undefined {
  const m = /^(.*?)\s*\/\s*s\s*$/.exec(text);
  return m ? parseByteSize(m[1]) : undefined;
}

/** The size or rate a wrongly cased unit meant ("64kb" → "64kB", "1mib/s" → "1MiB/s"); undefined when none. */
export function suggestByteText(text: string): string | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)(\s*\/\s*s)?\s*$/.exec(text);
  const unit = m ? suggestByteUnit(m[2]) : undefined;
  return m && unit ? `${m[1]}${unit}${m[3] ? '/s' : ''}` : undefined;
}
