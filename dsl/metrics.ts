/**
 * Custom metrics, as in k6: create them at the top level of the scenario file, add samples inside
 * iterations. `new Trend('name', true)` holds times (ms) and takes time units in thresholds.
 */
import { usageError } from '../runtime/errors.js';
import { realmRegistry } from '../runtime/metrics/registry.js';
import type { MetricType, ValueKind } from '../runtime/metrics/types.js';
import { currentVu } from '../runtime/worker/vu-context.js';

abstract class Metric {
  readonly name: string;
  constructor(name: string, type: MetricType, contains: ValueKind) {
    this.name = realmRegistry.define({ name, type, contains }).name;
  }
  protected record(value: number, tags: Record<string, string> | undefined, what: string): void {
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw usageError(`${what} on metric "${this.name}" expected a number, received ${JSON.stringify(value)}`);
    }
    const ctx = currentVu(`${what} (metric "${this.name}")`);
    ctx.store.add(this.name, value, tags ? { ...ctx.tags, ...tags } : ctx.tags);
  }
}

export class Counter extends Metric {
  constructor(name: string) {
    super(name, 'counter', 'default');
  }
  add(value: number, tags?: Record<string, string>): void {
    this.record(value, tags, 'Counter.add()');
  }
}

export class Gauge extends Metric {
  constructor(name: string) {
    super(name, 'gauge', 'default');
  }
  add(value: number, tags?: Record<string, string>): void {
    this.record(value, tags, 'Gauge.add()');
  }
}

export class Rate extends Metric {
  constructor(name: string) {
    super(name, 'rate', 'default');
  }
  /** Truthy values count as passes. */
  add(value: boolean | number, tags?: Record<string, string>): void {
    this.record(value ? 1 : 0, tags, 'Rate.add()');
  }
}

export class Trend extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'trend', isTime ? 'time' : 'default');
  }
  add(value: number, tags?: Record<string, string>): void {
    this.record(value, tags, 'Trend.add()');
  }
}
