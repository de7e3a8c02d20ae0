/**
 * Promises of the DSL (sleep, group, http.*, ws.connect, mcp.connect) that an iteration started
 * and left pending when it ended: the k6 habit of `sleep(1)` without `await` (k6's sleep blocks),
 * which silently runs a VU flat out. Always on, so it has to cost nothing on the hot path:
 *
 * - a call counts +1 on its VU when it starts and -1 when it settles within the same iteration
 *   (the token is the iteration's number: no allocation);
 * - an iteration that ends with a count above 0 turns on call-site capture for its scenario in
 *   this worker; from then on each call carries an Error (V8 records the frames; the text is
 *   only built for the calls still pending at the end of an iteration);
 * - each call site is reported once per worker ("sleep() at scenario.ts:12 was not awaited"),
 *   sent with the next snapshot; the coordinator says it once for the run, in the summary.
 */
import { userFrame } from '../stack-location.js';

/** A call in flight: its iteration's number, or (once call sites are captured) the call itself. */
export type PendingCall = number | TracedCall;

export interface TracedCall {
  readonly iteration: number;
  readonly what: string;
  readonly site: Error;
  settled: boolean;
}

const MAX_SITES = 100;

/** One per worker: the distinct warnings found, and those not yet sent. */
export class FloatingCalls {
  readonly #seen = new Set<string>();
  #unsent: string[] = [];

  /** The calls of an iteration that were still pending at its end. */
  report(calls: readonly TracedCall[], scenario: string): void {
    for (const c of calls) {
      if (c.settled || this.#seen.size >= MAX_SITES) continue;
      const at = userFrame(c.site.stack);
      if (!at) continue;
      const line = at.replace(/:\d+$/, '');
      if (this.#seen.has(`${c.what}@${line}`)) continue;
      this.#seen.add(`${c.what}@${line}`);
      this.#unsent.push(`${c.what} at ${line} was not awaited: add \`await\` (scenario ${scenario}; the iteration ended while it was pending, so the VU did not wait for it)`);
    }
  }

  /** Warnings found since the previous call. */
  take(): string[] {
    if (!this.#unsent.length) return NONE;
    const out = this.#unsent;
    this.#unsent = [];
    return out;
  }
}

const NONE: string[] = [];
