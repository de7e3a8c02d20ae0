/**
 * Each fault kind's own options (`latency: '200ms'`, `bandwidth: '100KB/s'`, `status: 503`, ...),
 * their defaults and the direction a kind acts on when none is given (Toxiproxy's downstream for
 * stream toxics; client → upstream for reset, so a reset request never reaches the server; both
 * ways for a partition).
 */
import { describeValue, readDuration, readInt } from '../executors/option-readers.js';
import type { ConfigIssue } from '../executors/types.js';
import type { FaultDirection, ProxyFaultParams } from '../protocols/fault-proxy/types.js';
import { parseByteRate, parseByteSize, suggestByteText } from './byte-size.js';
import type { FaultKind } from './faults-resolved.js';

type Raw = Record<string, unknown>;

export interface KindSpec {
  /** Its own option names. */
  params: readonly string[];
  /** The default direction; null: `direction` does not apply. */
  direction: FaultDirection | null;
  /** Whether `rate` applies (a fraction of connections, or of requests for HTTP kinds). */
  rate: boolean;
  /** What a worker's proxy applies; null for process kinds. */
  read: ((r: Raw, path: string, issues: ConfigIssue[]) => ProxyFaultParams) | null;
}

const DEFAULT_ERROR_BODY = 'fault injected by mcprun';

export const FAULT_KINDS: Readonly<Record<FaultKind, KindSpec>> = {
  latency: {
    params: ['latency', 'jitter'],
    direction: 'downstream',
    rate: true,
    read: (r, p, i) => ({ kind: 'latency', latencyMs: readDuration(r, 'latency', p, i, {}), jitterMs: readDuration(r, 'jitter', p, i, { default: 0 }) }),
  },
  bandwidth: {
    params: ['bandwidth'],
    direction: 'downstream',
    rate: true,
    read: (r, p, i) => ({ kind: 'bandwidth', bytesPerSecond: readBytes(r, 'bandwidth', p, i, 'rate') }),
  },
  reset: { params: ['timeout'], direction: 'upstream', rate: true, read: (r, p, i) => ({ kind: 'reset', timeoutMs: readDuration(r, 'timeout', p, i, { default: 0 }) }) },
  refuse: { params: [], direction: null, rate: false, read: () => ({ kind: 'refuse' }) },
  blackhole: { params: [], direction: 'both', rate: true, read: () => ({ kind: 'blackhole' }) },
  timeout: { params: ['timeout'], direction: 'both', rate: true, read: (r, p, i) => ({ kind: 'timeout', timeoutMs: readDuration(r, 'timeout', p, i, { default: 0 }) }) },
  'slow-close': { params: ['delay'], direction: 'downstream', rate: true, read: (r, p, i) => ({ kind: 'slow-close', delayMs: readDuration(r, 'delay', p, i, {}) }) },
  'limit-data': { params: ['bytes'], direction: 'downstream', rate: true, read: (r, p, i) => ({ kind: 'limit-data', bytes: readBytes(r, 'bytes', p, i, 'size') }) },
  'http-error': {
    params: ['status', 'body', 'headers'],
    direction: null,
    rate: true,
    read: (r, p, i) => ({ kind: 'http-error', status: readStatus(r, p, i), body: readText(r, 'body', p, i), headers: readHeaders(r, p, i) }),
  },
  'http-delay': {
    params: ['delay', 'jitter'],
    direction: null,
    rate: true,
    read: (r, p, i) => ({ kind: 'http-delay', delayMs: readDuration(r, 'delay', p, i, {}), jitterMs: readDuration(r, 'jitter', p, i, { default: 0 }) }),
  },
  kill: { params: [], direction: null, rate: false, read: null },
  pause: { params: [], direction: null, rate: false, read: null },
  restart: { params: [], direction: null, rate: false, read: null },
};

export const FAULT_KIND_NAMES = Object.keys(FAULT_KINDS) as FaultKind[];

/** `bandwidth: '100KB/s'` or `bytes: '64KB'` / `bytes: 65536`. */
function readBytes(r: Raw, key: string, path: string, issues: ConfigIssue[], what: 'rate' | 'size'): number {
  const v = r[key];
  const example = what === 'rate' ? "'100KB/s' or '1MiB/s'" : "65536 or '64KB'";
  const bytes = typeof v === 'string' ? (what === 'rate' ? parseByteRate(v) : parseByteSize(v)) : what === 'size' && typeof v === 'number' && Number.isInteger(v) ? v : undefined;
  if (bytes !== undefined && bytes > 0) return bytes;
  const units = '(KB = 1000 bytes, KiB = 1024)';
  if (what === 'rate' && typeof v === 'number') {
    issues.push({ path: `${path}.${key}`, message: `must be a rate of bytes with its unit, received ${v}: a bare number has no unit here; write ${key}: '${v}KB/s' for ${v} kB/s ${units}` });
  } else {
    const problem = v === undefined ? 'is required' : `must be ${what === 'rate' ? 'a rate of bytes with its unit' : 'a whole number of bytes or a size with its unit'}, received ${describeValue(v)}`;
    const fix = typeof v === 'string' ? suggestByteText(v) : undefined;
    issues.push({ path: `${path}.${key}`, message: `${problem}${fix ? `; did you mean '${fix}'?` : `: write e.g. ${key}: ${example}`} ${units}` });
  }
  return 1;
}

function readStatus(r: Raw, path: string, issues: ConfigIssue[]): number {
  const v = r.status;
  const status = readInt(r, 'status', path, issues, { default: 503, min: 200 });
  if (typeof v === 'number' && Number.isInteger(v) && v > 599) {
    issues.push({ path: `${path}.status`, message: `must be an HTTP status from 200 to 599, received ${v}` });
  }
  return status;
}

function readText(r: Raw, key: string, path: string, issues: ConfigIssue[]): string {
  const v = r[key];
  if (v === undefined) return DEFAULT_ERROR_BODY;
  if (typeof v === 'string') return v;
  issues.push({ path: `${path}.${key}`, message: `must be a string (the body of the injected response), received ${describeValue(v)}` });
  return DEFAULT_ERROR_BODY;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function readHeaders(r: Raw, path: string, issues: ConfigIssue[]): Record<string, string> {
  const v = r.headers;
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    issues.push({ path: `${path}.headers`, message: `must be an object of header names to strings, e.g. headers: { 'retry-after': '1' }, received ${describeValue(v)}` });
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (!HEADER_NAME.test(k)) issues.push({ path: `${path}.headers[${JSON.stringify(k)}]`, message: 'is not a valid HTTP header name' });
    else if (typeof x !== 'string' || /[\r\n\0]/.test(x)) issues.push({ path: `${path}.headers.${k}`, message: `must be a string without CR, LF or NUL, received ${describeValue(x)}` });
    else out[k] = x;
  }
  return out;
}
