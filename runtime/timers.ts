/**
 * Timers for durations a user gives (a scenario's duration or startTime, maxDuration, a timeout,
 * sleep(), --interval). Node arms a timer of more than 2^31-1 ms (about 596 hours) for 1 ms
 * instead, with only a TimeoutOverflowWarning: `duration: '600h'` ended after one request and
 * passed. Such a timer is chained here: armed for equal steps of at most 2^31-1 ms, the callback
 * runs after the last. Chained rather than refused, because any duration the options accept must
 * mean what it says (a month-long soak, a timeout of '1000000h' meaning "never" are legitimate);
 * a step's rounding costs under a millisecond per 24 days.
 *
 * Every timer in the run path whose delay comes from the user goes through here
 * (test/unit/architecture/timers.test.ts finds the others). The fast path is Node's own timer,
 * returned as is: callers clear, unref and refresh it as usual (refresh() restarts a chained
 * timer's whole duration too).
 */

/** The longest delay Node arms as asked. */
export const TIMER_MAX_MS = 2 ** 31 - 1;

/** setTimeout(fn, ms, a, b) for any `ms`; the arguments spare hot paths a closure per timer. */
export function safeTimeout(fn: () => void, ms: number): NodeJS.Timeout;
export function safeTimeout<A>(fn: (a: A) => void, ms: number, a: A): NodeJS.Timeout;
export function safeTimeout<A, B>(fn: (a: A, b: B) => void, ms: number, a: A, b: B): NodeJS.Timeout;
export function safeTimeout<A, B>(fn: (a?: A, b?: B) => void, ms: number, a?: A, b?: B): NodeJS.Timeout {
  if (!(ms > TIMER_MAX_MS)) return setTimeout(fn, ms, a, b);
  return chainedTimer(() => fn(a, b), ms, TIMER_MAX_MS, false);
}

/** setInterval with the same guarantee: every `ms`, however long. */
export function safeInterval(fn: () => void, ms: number): NodeJS.Timeout {
  if (!(ms > TIMER_MAX_MS)) return setInterval(fn, ms);
  return chainedTimer(fn, ms, TIMER_MAX_MS, true);
}

/**
 * A delay a library arms with its own timer (the `ws` package's handshake timeout): capped at the
 * longest Node honours, so a longer one waits ~596 hours instead of 1 ms.
 */
export function libraryDelayMs(ms: number): number {
  return Math.min(ms, TIMER_MAX_MS);
}

/**
 * @internal (exported with its step for tests) `ms` as `steps` equal steps of at most `maxStep`
 * on one Node timer, re-armed by refresh() after each step; Infinity never fires.
 */
export function chainedTimer(fn: () => void, ms: number, maxStep: number, repeat: boolean): NodeJS.Timeout {
  const steps = Number.isFinite(ms) ? Math.ceil(ms / maxStep) : Infinity;
  const step = Number.isFinite(ms) ? ms / steps : maxStep;
  let left = steps;
  const timer = setTimeout(() => {
    if (--left > 0) return void rearm.call(timer);
    if (repeat) {
      left = steps;
      rearm.call(timer);
    }
    fn();
  }, step);
  const rearm = timer.refresh;
  timer.refresh = function refresh(this: NodeJS.Timeout) {
    left = steps;
    return rearm.call(this);
  };
  return timer;
}
