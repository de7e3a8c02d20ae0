/** `group(name, fn)`: tags samples inside with `group` (k6's "::a::b" path) and records `group_duration`. */
import { performance } from 'node:perf_hooks';
import { usageError } from '../runtime/errors.js';
import { METRIC } from '../runtime/metrics/builtin.js';
import { currentVu } from '../runtime/worker/vu-context.js';

export async function group<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const ctx = currentVu('group()');
  if (typeof name !== 'string' || name === '' || name.includes('::')) {
    throw usageError(`group(): the name ${JSON.stringify(name)} is invalid: use a non-empty name without "::"`);
  }
  const parent = ctx.group;
  const path = `${parent}::${name}`;
  ctx.setGroup(path);
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    ctx.store.add(METRIC.group_duration, performance.now() - t0, ctx.tags);
    ctx.setGroup(parent);
  }
}
