/**
 * Exceptions thrown inside iterations: counted per distinct message and sent with each snapshot,
 * so a script bug under 10^5 iterations/s costs one map entry, not 10^5 lines. The coordinator
 * prints each message once for the whole run (coordinator/metric-feed.ts), not once per worker.
 */
import { userFrame } from '../stack-location.js';
import type { IterationErrorReport } from '../worker-protocol.js';

const MAX_DISTINCT = 100;

export class ErrorLog {
  readonly #counts = new Map<string, number>();
  readonly #reported = new Map<string, number>();

  add(err: unknown, scenario: string): void {
    const msg = describe(err, scenario);
    const n = this.#counts.get(msg);
    if (n === undefined) {
      if (this.#counts.size >= MAX_DISTINCT) {
        const other = '(other distinct errors not listed)';
        this.#counts.set(other, (this.#counts.get(other) ?? 0) + 1);
        return;
      }
      this.#counts.set(msg, 1);
    } else this.#counts.set(msg, n + 1);
  }

  /** Counts since the previous call. */
  take(): IterationErrorReport[] {
    const out: IterationErrorReport[] = [];
    for (const [message, count] of this.#counts) {
      const before = this.#reported.get(message) ?? 0;
      if (count > before) out.push({ message, count: count - before });
      this.#reported.set(message, count);
    }
    return out;
  }
}

/** "TypeError: x is undefined (at scenario.ts:12:7, scenario default)". */
function describe(err: unknown, scenario: string): string {
  if (!(err instanceof Error)) return `uncaught ${typeof err} ${JSON.stringify(err)} in scenario ${scenario}`;
  const firstLine = `${err.name}: ${err.message}`.split('\n')[0];
  const where = userFrame(err.stack);
  return `${firstLine}${where ? ` (at ${where}, scenario ${scenario})` : ` (scenario ${scenario})`}`;
}
