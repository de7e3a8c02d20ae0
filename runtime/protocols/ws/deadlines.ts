/**
 * Timeouts for many objects under one timer per distinct duration. Closing or pinging 10^5
 * sockets at once would otherwise create and clear 10^5 Timeouts, each one also an async resource
 * (AsyncLocalStorage is on in workers). Within one duration, deadlines are in insertion order
 * (a Map keeps it), so a sweep stops at the first entry not yet due: exact, and O(1) per entry.
 */
import { performance } from 'node:perf_hooks';
import { safeTimeout } from '../../timers.js';

export class Deadlines<T> {
  readonly #buckets = new Map<number, Bucket<T>>();

  constructor(readonly fire: (item: T) => void) {}

  /** Calls fire(item) in `ms` unless delete(item, ms) comes first. An item is in one bucket at a time. */
  add(item: T, ms: number): void {
    let b = this.#buckets.get(ms);
    if (!b) this.#buckets.set(ms, (b = new Bucket(ms, this.fire)));
    b.add(item);
  }

  delete(item: T, ms: number): void {
    this.#buckets.get(ms)?.delete(item);
  }
}

class Bucket<T> {
  readonly #due = new Map<T, number>();
  #timer: NodeJS.Timeout | null = null;

  constructor(
    readonly ms: number,
    readonly fire: (item: T) => void,
  ) {}

  add(item: T): void {
    this.#due.set(item, performance.now() + this.ms);
    if (!this.#timer) this.#arm(this.ms);
  }

  delete(item: T): void {
    if (!this.#due.delete(item) || this.#due.size || !this.#timer) return;
    clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(ms: number): void {
    this.#timer = safeTimeout(sweep, Math.max(1, Math.ceil(ms)), this);
  }

  /** @internal */
  sweep(): void {
    this.#timer = null;
    const now = performance.now();
    for (const [item, due] of this.#due) {
      if (due > now) {
        this.#arm(due - now);
        return;
      }
      this.#due.delete(item);
      this.fire(item);
    }
  }
}

function sweep(b: Bucket<any>): void {
  b.sweep();
}
