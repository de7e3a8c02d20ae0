/** `await sleep(seconds)`: as k6's sleep (seconds, fractions allowed); ends early when the VU is stopped. */
import { usageError } from '../runtime/errors.js';
import { currentVu } from '../runtime/worker/vu-context.js';
import { safeTimeout } from '../runtime/timers.js';

export function sleep(seconds: number): Promise<void> {
  const ctx = currentVu('sleep()');
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw usageError(`sleep(${String(seconds)}): expected a non-negative number of seconds, e.g. sleep(0.5)`);
  }
  const signal = ctx.signal;
  if (signal.aborted) return Promise.reject(signal.reason);
  // Counted until it settles: an iteration that ends first did not await it (floating-calls.ts).
  const call = ctx.callStarted('sleep()');
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      ctx.callSettled(call);
      reject(signal.reason);
    };
    const timer = safeTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      ctx.callSettled(call);
      resolve();
    }, seconds * 1000);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
