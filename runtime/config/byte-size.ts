/**
 * Sizes and rates of bytes as fault options write them: "64KB", "1.5MiB", "512B" and
 * "100KB/s", "1MiB/s". KB, MB, GB are powers of 1000; KiB, MiB, GiB of 1024 (as in k6 and IEC).
 * Returns bytes (or bytes per second), undefined when the text is not one.
 */
const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};
const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)\s*$/i;

export function parseByteSize(text: string): number | undefined {
  const m = SIZE.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNITS[m[2].toLowerCase()]);
}

export function parseByteRate(text: string): number | undefined {
  const m = /^(.*?)\s*\/\s*s\s*$/i.exec(text);
  return m ? parseByteSize(m[1]) : undefined;
}
