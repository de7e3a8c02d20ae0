/**
 * What counts as a failed request (`http_req_failed`, tag `expected_response`), as k6's
 * `http.expectedStatuses()` and `http.setResponseCallback()`. The default (no callback set) is the
 * fast one: a response below 400 is expected, a network failure (status 0) is not.
 */
import { usageError } from '../../errors.js';

export type StatusRange = number | { min: number; max: number };

/** The object `http.expectedStatuses(...)` returns; pass it to setResponseCallback or params.responseCallback. */
export class ExpectedStatuses {
  readonly #singles: Set<number>;
  readonly #ranges: Array<{ min: number; max: number }>;

  constructor(statuses: StatusRange[]) {
    this.#singles = new Set();
    this.#ranges = [];
    for (const s of statuses) {
      if (typeof s === 'number' && Number.isInteger(s) && s >= 100 && s <= 599) this.#singles.add(s);
      else if (s && typeof s === 'object' && Number.isInteger(s.min) && Number.isInteger(s.max) && s.min <= s.max) this.#ranges.push({ min: s.min, max: s.max });
      else throw usageError(`http.expectedStatuses(): ${JSON.stringify(s)} is neither a status (100-599) nor a range { min, max }; e.g. http.expectedStatuses(200, { min: 300, max: 399 })`);
    }
  }

  /** True when a response with this status is expected (not failed). */
  expects(status: number): boolean {
    if (this.#singles.has(status)) return true;
    for (const r of this.#ranges) if (status >= r.min && status <= r.max) return true;
    return false;
  }
}

/** setResponseCallback's value for the whole worker (set in init code, as in k6): undefined is the default rule. */
let current: ExpectedStatuses | undefined;

export function setResponseCallback(cb: ExpectedStatuses | undefined): void {
  if (cb !== undefined && !(cb instanceof ExpectedStatuses)) throw usageError('http.setResponseCallback(): pass the result of http.expectedStatuses(...), e.g. http.setResponseCallback(http.expectedStatuses(200, 404))');
  current = cb;
}

/** Whether a response counts as failed, under the request's callback, else the worker's, else the default. */
export function isFailed(status: number, own: ExpectedStatuses | undefined): boolean {
  if (status === 0) return true;
  const cb = own ?? current;
  return cb === undefined ? status >= 400 : !cb.expects(status);
}
