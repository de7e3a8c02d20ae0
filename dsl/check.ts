/** `check(value, { name: predicate })`: each predicate feeds the `checks` Rate with tag `check`. */
import type { Tags } from '../runtime/metrics/types.js';
import type { SeriesHandle, WorkerMetricStore } from '../runtime/metrics/worker-store.js';
import { currentVu } from '../runtime/worker/vu-context.js';

/** checks{check: name} per VU tag set, found without building a key string per check. */
const seriesByTags = new WeakMap<Tags, { store: WorkerMetricStore; byName: Map<string, SeriesHandle> }>();
const MAX_NAMES = 10_000;

function checkSeries(store: WorkerMetricStore, tags: Tags, name: string): SeriesHandle {
  let entry = seriesByTags.get(tags);
  if (!entry || entry.store !== store) seriesByTags.set(tags, (entry = { store, byName: new Map() }));
  const byName = entry.byName;
  let s = byName.get(name);
  if (!s) {
    if (byName.size >= MAX_NAMES) byName.clear();
    byName.set(name, (s = store.derived('checks', tags, name, () => ({ check: name }))));
  }
  return s;
}

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
    if (tags) ctx.store.add('checks', ok ? 1 : 0, { ...ctx.tags, ...tags, check: name });
    else checkSeries(ctx.store, ctx.tags, name).add(ok ? 1 : 0);
  }
  return all;
}
