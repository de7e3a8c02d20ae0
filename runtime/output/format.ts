/** Number formatting shared by the text summary, progress line and reports. */
import type { MetricDefinition } from '../metrics/types.js';

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const a = Math.abs(ms);
  if (a === 0) return '0s';
  if (a < 1) return `${trim(ms * 1000, 2)}µs`;
  if (a < 1000) return `${trim(ms, 2)}ms`;
  if (a < 60_000) return `${trim(ms / 1000, 2)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${trim((ms - m * 60_000) / 1000, 1)}s`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${trim(v, i ? 1 : 0)} ${units[i]}`;
}

export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  // Never print a failing 0.0500001 % as "0.05%": show enough digits to tell values apart.
  return `${p === 0 || p === 100 ? String(p) : trim(p, p < 0.1 ? 4 : 2)}%`;
}

export function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : trim(n, 2);
}

export function formatValue(v: number, def: Pick<MetricDefinition, 'type' | 'contains'>): string {
  if (def.contains === 'time') return formatMs(v);
  if (def.contains === 'data') return formatBytes(v);
  return formatCount(v);
}

export function trim(v: number, digits: number): string {
  return Number(v.toFixed(digits)).toString();
}
