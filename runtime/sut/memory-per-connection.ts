/**
 * sut_memory_per_connection: the server's RSS growth since before its first connection, divided
 * by the connections it added since then, measured once per plateau of its connection count, as
 * mcprun_heap_per_vu is for the client (the shared rule: runtime/metrics/plateau.ts).
 *
 * The baseline is the last sample taken while the connections were still at their starting
 * level (within the plateau tolerance), so a server still settling when mcprun starts is
 * measured from its settled RSS. A plateau needs `samples` consecutive samples within
 * max(absolute, relative x level) of each other; at 1 sample per second the default, 3, measures
 * at least 2 s after the level was reached. No forced GC here (the server is not ours), so the
 * figure includes whatever garbage the server holds at that moment.
 *
 * Pure: fed (time, rss, connections) by whichever source has them (/proc or Prometheus).
 */
import { growthPerUnit, PlateauDetector } from '../metrics/plateau.js';

export interface MemoryPerConnectionOptions {
  /** Consecutive samples that make a plateau. */
  readonly samples?: number;
  readonly absolute?: number;
  readonly relative?: number;
  /** Fewer connections added than this: no figure (the RSS noise would dominate it). */
  readonly minConnections?: number;
}

export interface PlateauMeasurement {
  /** Epoch ms of the sample that completed the plateau. */
  readonly time: number;
  readonly connections: number;
  readonly rss: number;
  readonly baselineConnections: number;
  readonly baselineRss: number;
  /** Bytes per connection added. */
  readonly perConnection: number;
}

export const MEMORY_PER_CONNECTION_DEFAULTS: Required<MemoryPerConnectionOptions> = { samples: 3, absolute: 2, relative: 0.01, minConnections: 100 };

export class MemoryPerConnection {
  readonly #opts: Required<MemoryPerConnectionOptions>;
  readonly #plateaus: PlateauDetector;
  #baseline: { rss: number; connections: number } | undefined;
  #started = false;
  readonly measurements: PlateauMeasurement[] = [];

  constructor(opts: MemoryPerConnectionOptions = {}) {
    this.#opts = { ...MEMORY_PER_CONNECTION_DEFAULTS, ...opts };
    const { samples, absolute, relative } = this.#opts;
    this.#plateaus = new PlateauDetector({ samples, absolute, relative, min: this.#opts.minConnections });
  }

  /** Feeds one sample; returns the measurement when this sample completes a new plateau. */
  observe(time: number, rss: number, connections: number): PlateauMeasurement | undefined {
    if (!this.#started) this.#trackBaseline(rss, connections);
    const base = this.#baseline;
    if (base === undefined) return undefined;
    const added = connections - base.connections;
    if (!this.#plateaus.observe(added) || !this.#started) return undefined;
    const m: PlateauMeasurement = {
      time,
      connections,
      rss,
      baselineConnections: base.connections,
      baselineRss: base.rss,
      perConnection: growthPerUnit(rss, base.rss, added),
    };
    this.measurements.push(m);
    return m;
  }

  #trackBaseline(rss: number, connections: number): void {
    const base = this.#baseline;
    const tolerance = base ? Math.max(this.#opts.absolute, this.#opts.relative * base.connections) : 0;
    if (base === undefined || connections - base.connections <= tolerance) {
      this.#baseline = { rss, connections: base === undefined ? connections : Math.min(connections, base.connections) };
      return;
    }
    this.#started = true; // the first connections arrived: the baseline is frozen
  }
}

export interface PhaseWindow {
  readonly name: string;
  /** Epoch ms, inclusive. */
  readonly start: number;
  /** Epoch ms, inclusive. */
  readonly end: number;
}

/** Per phase, the last plateau measured inside its window (the Gauge's value there), or undefined. */
export function memoryPerConnectionByPhase(
  measurements: readonly PlateauMeasurement[],
  phases: readonly PhaseWindow[],
): Record<string, PlateauMeasurement | undefined> {
  const out: Record<string, PlateauMeasurement | undefined> = {};
  for (const p of phases) {
    out[p.name] = measurements.filter((m) => m.time >= p.start && m.time <= p.end).at(-1);
  }
  return out;
}
