/**
 * A series is one metric plus one tag set. Its key is the tags sorted by name, so the same tags in
 * any order land in the same series. Keys are built once per tag set by callers on hot paths.
 */
import type { Tags } from './types.js';

export function tagKey(tags: Tags): string {
  const names = Object.keys(tags);
  if (names.length === 0) return '';
  if (names.length > 1) names.sort();
  let key = '';
  for (const n of names) key += `${n}\u0001${tags[n]}\u0002`;
  return key;
}

export function seriesKey(metric: string, tags: Tags): string {
  return `${metric}\u0000${tagKey(tags)}`;
}

/**
 * Does `tags` carry every pair of `filter` (a threshold's `{status:200}`)? An empty value in the
 * filter matches a series without that tag (`{group:}`: samples outside every group).
 */
export function tagsMatch(tags: Tags, filter: Tags): boolean {
  for (const k in filter) {
    const want = filter[k];
    if (tags[k] !== want && !(want === '' && tags[k] === undefined)) return false;
  }
  return true;
}
