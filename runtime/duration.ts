/**
 * Durations as k6 writes them: "500ms", "30s", "1m30s", "1h", "2.5s", "100us". A bare number is
 * milliseconds (as in k6's JS options). Returns milliseconds.
 */
import { McprunError } from './errors.js';

const UNIT_MS: Record<string, number> = { us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h|d)/y;

export type DurationInput = string | number;

/** `where` names the option (e.g. `scenarios.ramp.stages[0].duration`) for the error message. */
export function parseDuration(input: DurationInput, where: string, opts: { allowZero?: boolean } = {}): number {
  const allowZero = opts.allowZero ?? true;
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0 || (!allowZero && input === 0)) {
      throw durationError(String(input), where, allowZero);
    }
    return input;
  }
  if (typeof input !== 'string') throw durationError(JSON.stringify(input) ?? String(input), where, allowZero);
  const s = input.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return parseDuration(Number(s), where, opts);
  let total = 0;
  let pos = 0;
  PART.lastIndex = 0;
  while (pos < s.length) {
    PART.lastIndex = pos;
    const m = PART.exec(s);
    if (!m) throw durationError(input, where, allowZero);
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = PART.lastIndex;
  }
  if (s.length === 0 || (!allowZero && total === 0)) throw durationError(input, where, allowZero);
  return total;
}

function durationError(received: string, where: string, allowZero: boolean): McprunError {
  const fix = suggestDuration(received);
  return new McprunError(
    'MCPRUN_DURATION',
    `invalid duration ${JSON.stringify(received)} for ${where}: expected ${durationExpectation(allowZero)}${fix ? `; did you mean "${fix}"?` : '.'}`,
  );
}

/** What a duration option accepts, for messages: `a positive duration such as "500ms", "30s", "1m30s" or "1h"`. */
export function durationExpectation(allowZero: boolean): string {
  return `a ${allowZero ? 'non-negative' : 'positive'} duration such as "500ms", "30s", "1m30s" or "1h"`;
}

const UNIT_WORDS: Record<string, string> = {
  us: 'us', usec: 'us', usecs: 'us', micros: 'us', microsecond: 'us', microseconds: 'us',
  ms: 'ms', msec: 'ms', msecs: 'ms', millis: 'ms', millisecond: 'ms', milliseconds: 'ms',
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
};

/**
 * The duration a malformed one probably meant: "30 seconds" → "30s", "5 min" → "5m", "1h 30m" →
 * "1h30m", "10S" → "10s". Undefined when there is no confident guess (negative numbers included:
 * the sign is a decision only the user can undo).
 */
export function suggestDuration(received: string): string | undefined {
  if (/\d\s+\d/.test(received)) return undefined;
  const compact = received.replace(/[\s,]+/g, '');
  // Digits and letters alternate, and the two classes are disjoint: no backtracking blow-up.
  if (!/^(?:\d+(?:\.\d+)?[a-zµ]+)+$/i.test(compact)) return undefined;
  let out = '';
  for (const m of compact.matchAll(/(\d+(?:\.\d+)?)([a-zµ]+)/gi)) {
    const unit = m[2] === 'µs' ? 'µs' : UNIT_WORDS[m[2].toLowerCase()];
    if (!unit) return undefined;
    out += `${m[1]}${unit}`;
  }
  return out !== received ? out : undefined;
}

/** The shortest readable form: 90000 → "1m30s", 1500 → "1.5s", 250 → "250ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 1000) / 1000}ms`;
  if (ms < 60_000) return `${Math.round(ms / 10) / 100}s`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.round((ms % 60_000) / 100) / 10;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
}
