/**
 * A per-worker cap on distinct values of the `tool` and `name` tags. `name` carries whole resource
 * URIs: a scenario that reads thousands of URIs would make one series per URI per metric, growing
 * memory for the whole run and blowing up a Prometheus scrape. Beyond the cap a value is recorded
 * as `other` (with `tag_overflow:true`, which the summary's warning looks for).
 */

/** Distinct `tool`/`name` values per worker before the rest are tagged `other`. */
export const MAX_NAME_TAG_VALUES = 1000;

export const OVERFLOW_VALUE = 'other';

export class NameTagCap {
  readonly #seen = new Set<string>();

  constructor(readonly max = MAX_NAME_TAG_VALUES) {}

  /** True if `name` may be a tag value (already seen, or room for one more). */
  admits(name: string): boolean {
    const seen = this.#seen;
    if (seen.has(name)) return true;
    if (seen.size >= this.max) return false;
    seen.add(name);
    return true;
  }
}
