/** A fault while it is switched on in one proxy, with the counters it adds to. */
import type { FaultCounters, FaultDirection, ProxyFault } from './types.js';

export class ActiveFault {
  constructor(
    readonly fault: ProxyFault,
    readonly counters: FaultCounters,
  ) {}

  get name(): string {
    return this.fault.name;
  }

  acts(direction: 'upstream' | 'downstream'): boolean {
    return covers(this.fault.direction, direction);
  }
}

export function covers(d: FaultDirection, direction: 'upstream' | 'downstream'): boolean {
  return d === 'both' || d === direction;
}

export function emptyCounters(): FaultCounters {
  return { connections: 0, requests: 0, bytesDropped: 0 };
}
