/** Small readers for executor options that record a ConfigIssue instead of throwing. */
import { durationExpectation, parseDuration, suggestDuration } from '../duration.js';
import type { ResolvedStage } from './resolved.js';
import { nearestName } from '../thresholds/tokenizer.js';
import type { ConfigIssue } from './types.js';

/** A received value as a message shows it: strings quoted, objects and arrays named (not dumped). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol' || v === undefined) return String(v);
  // JSON has no NaN or Infinity: it would say "null".
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return JSON.stringify(v) ?? String(v);
}

/** "; write 10 without quotes" when a number arrived as a numeric string. */
function unquoteAdvice(v: unknown): string {
  return typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? `; write ${v.trim()} without quotes` : '';
}

export function readInt(
  raw: Record<string, unknown>,
  key: string,
  path: string,
  issues: ConfigIssue[],
  opts: { default?: number; min?: number; required?: boolean },
): number {
  const v = raw[key];
  const min = opts.min ?? 0;
  if (v === undefined) {
    if (opts.required || opts.default === undefined) {
      issues.push({ path: `${path}.${key}`, message: `is required: write a whole number >= ${min}, e.g. ${key}: ${Math.max(min, 10)}` });
      return min;
    }
    return opts.default;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    issues.push({ path: `${path}.${key}`, message: `must be a whole number >= ${min}, received ${describeValue(v)}${unquoteAdvice(v)}` });
    return opts.default ?? min;
  }
  return v;
}

export function readPositiveNumber(raw: Record<string, unknown>, key: string, path: string, issues: ConfigIssue[], opts: { default?: number; allowZero?: boolean }): number {
  const v = raw[key];
  if (v === undefined && opts.default !== undefined) return opts.default;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!opts.allowZero && v === 0)) {
    issues.push({
      path: `${path}.${key}`,
      message: v === undefined ? `is required: write a number > 0, e.g. ${key}: 100` : `must be a number ${opts.allowZero ? '>= 0' : '> 0'}, received ${describeValue(v)}${unquoteAdvice(v)}`,
    });
    return opts.default ?? 1;
  }
  return v;
}

export function readDuration(
  raw: Record<string, unknown>,
  key: string,
  path: string,
  issues: ConfigIssue[],
  opts: { default?: number; allowZero?: boolean },
): number {
  const v = raw[key];
  if (v === undefined) {
    if (opts.default !== undefined) return opts.default;
    issues.push({ path: `${path}.${key}`, message: `is required: write a duration such as "30s" or "5m"` });
    return 0;
  }
  const allowZero = opts.allowZero ?? true;
  try {
    return parseDuration(v as string | number, `${path}.${key}`, { allowZero });
  } catch {
    const fix = typeof v === 'string' ? suggestDuration(v) : undefined;
    issues.push({ path: `${path}.${key}`, message: `must be ${durationExpectation(allowZero)}, received ${describeValue(v)}${fix ? `; did you mean "${fix}"?` : ''}` });
    return opts.default ?? 0;
  }
}

export function readStages(raw: Record<string, unknown>, path: string, issues: ConfigIssue[]): ResolvedStage[] {
  const v = raw.stages;
  if (!Array.isArray(v) || v.length === 0) {
    issues.push({
      path: `${path}.stages`,
      message: `${v === undefined ? 'is required' : Array.isArray(v) ? 'is empty' : `must be an array, received ${describeValue(v)}`}: write at least one stage, e.g. stages: [{ duration: '30s', target: 10 }]`,
    });
    return [];
  }
  return v.map((s: unknown, i: number) => {
    const p = `${path}.stages[${i}]`;
    if (typeof s !== 'object' || s === null) {
      issues.push({ path: p, message: `must be an object like { duration: '30s', target: 10 }, received ${describeValue(s)}` });
      return { durationMs: 0, target: 0 };
    }
    const o = s as Record<string, unknown>;
    return { durationMs: readDuration(o, 'duration', p, issues, {}), target: readPositiveNumber(o, 'target', p, issues, { allowZero: true }) };
  });
}

/** `preAllocatedVUs` (required) and `maxVUs` (at least as many; default the same) of the arrival-rate executors. */
export function readVuPool(raw: Record<string, unknown>, path: string, issues: ConfigIssue[]): { preAllocatedVUs: number; maxVUs: number } {
  const preAllocatedVUs = readInt(raw, 'preAllocatedVUs', path, issues, { min: 1, required: true });
  const maxVUs = readInt(raw, 'maxVUs', path, issues, { default: preAllocatedVUs, min: 1 });
  if (maxVUs < preAllocatedVUs) issues.push({ path: `${path}.maxVUs`, message: `(${maxVUs}) is smaller than preAllocatedVUs (${preAllocatedVUs}); raise maxVUs or leave it out` });
  return { preAllocatedVUs, maxVUs };
}

/** Options that this executor does not know: a typo (`vu` for `vus`) would silently do nothing. */
export function checkKnownKeys(raw: Record<string, unknown>, known: readonly string[], path: string, issues: ConfigIssue[], executor: string): void {
  for (const k of Object.keys(raw)) {
    if (!known.includes(k)) {
      const near = nearestName(k, known);
      issues.push({
        path: `${path}.${k}`,
        message: `is not an option of the ${executor} executor${near ? `; did you mean "${near}"?` : '.'} Its options are ${known.filter((x) => x !== 'executor').join(', ')}.`,
      });
    }
  }
}

export const COMMON_KEYS = ['executor', 'startTime', 'after', 'gracefulStop', 'exec', 'env', 'tags', 'thresholds'] as const;
