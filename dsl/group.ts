/**
 * `group(name, fn)`: tags the samples of `fn` with `group` (k6's "::a::b" path) and records
 * `group_duration`. The callback runs in a frame of its own (vu-context.ts), so the group covers
 * exactly its callback: awaited or not (k6 scripts call group() with a synchronous callback and
 * do not await it), synchronous or async, nested, or several at once. A synchronous callback's
 * exception is thrown at once, as in k6; an async one's rejects the returned promise.
 */
import { performance } from 'node:perf_hooks';
import { usageError } from '../runtime/errors.js';
import { METRIC } from '../runtime/metrics/builtin.js';
import { currentVu, tracked, vuStorage, type VuContext, type VuFrame } from '../runtime/worker/vu-context.js';

export function group<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const ctx = currentVu('group()');
  if (typeof name !== 'string' || name === '' || name.includes('::')) {
    throw usageError(`group(): the name ${JSON.stringify(name)} is invalid: use a non-empty name without "::"`);
  }
  const frame = ctx.inGroup(`${ctx.group}::${name}`);
  const t0 = performance.now();
  // Started before the callback, so the call site is group()'s caller.
  const call = ctx.callStarted('group()');
  let out: T | Promise<T>;
  try {
    out = vuStorage.run(frame, fn);
  } catch (err) {
    ctx.callSettled(call);
    recordDuration(ctx, frame, t0);
    throw err;
  }
  if (out !== null && typeof out === 'object' && typeof (out as Promise<T>).then === 'function') {
    // Only an async callback can be left pending; a synchronous group is done when it returns.
    return tracked(ctx, 'group()', Promise.resolve(out).finally(() => recordDuration(ctx, frame, t0)), call);
  }
  ctx.callSettled(call);
  recordDuration(ctx, frame, t0);
  return Promise.resolve(out);
}

function recordDuration(ctx: VuContext, frame: VuFrame, t0: number): void {
  ctx.store.add(METRIC.group_duration, performance.now() - t0, frame.groupTags);
}
