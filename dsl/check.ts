/** `check(value, { name: predicate })`: each predicate feeds the `checks` Rate with tag `check`. */
import { METRIC } from '../runtime/metrics/builtin.js';
import { currentVu } from '../runtime/worker/vu-context.js';

export type Checkers<T> = Record<string, (value: T) => unknown>;

/**
 * Returns true when every predicate is truthy. A predicate that throws counts as a failed check
 * (the error does not end the iteration: a load test should keep measuring).
 */
export function check<T>(value: T, checkers: Checkers<T>, tags?: Record<string, string>): boolean {
  const ctx = currentVu('check()');
  let all = true;
  for (const name in checkers) {
    let ok: boolean;
    try {
      ok = Boolean(checkers[name](value));
    } catch {
      ok = false;
    }
    if (!ok) all = false;
    if (tags) ctx.store.add(METRIC.checks, ok ? 1 : 0, { ...ctx.tags, ...tags, check: name });
    else ctx.store.derived(METRIC.checks, ctx.tags, name, () => ({ check: name })).add(ok ? 1 : 0);
  }
  return all;
}
