/**
 * "Memory per unit, measured at each plateau": the one rule behind mcprun_heap_per_vu (the client's
 * VUs, memory-per-vu.ts) and sut_memory_per_connection (the server's connections, runtime/sut/).
 * A level that moves in steps (VUs allocated, connections held) is on a plateau once `samples`
 * consecutive observations agree within a tolerance; each plateau is reported once, and a blip
 * that returns to the plateau already reported is not a new one. The figure is then the growth
 * since a baseline divided by the units added since that baseline.
 *
 * Pure: no clock, no memory reads. memory-per-vu.ts uses it as `new PlateauDetector({ samples:
 * 2, min: MIN_VUS })` fed `[allocated, connections]` (two equal flushes, from MIN_VUS up, once per
 * level); memory-per-connection.ts with three samples and a tolerance (a server's count moves).
 */

export interface PlateauOptions {
  /** Consecutive observations that must agree (2: this one and the one before). */
  readonly samples: number;
  /** How far apart they may be, in units of the level (0: equal). */
  readonly absolute?: number;
  /** ... plus this fraction of the level (0.01: within 1 %). */
  readonly relative?: number;
  /** No plateau below this value of the first component (too few units for the figure to mean anything). */
  readonly min?: number;
}

export class PlateauDetector {
  readonly #opts: Required<PlateauOptions>;
  #window: (readonly number[])[] = [];
  #reported: readonly number[] | undefined;

  constructor(opts: PlateauOptions) {
    if (!(opts.samples >= 2)) throw new RangeError(`a plateau needs at least 2 samples, got ${opts.samples}`);
    this.#opts = { absolute: 0, relative: 0, min: 0, ...opts };
  }

  /**
   * Feeds one observation (a number, or a tuple whose every component must be steady). True
   * exactly when it completes a plateau not reported before.
   */
  observe(level: number | readonly number[]): boolean {
    const v = typeof level === 'number' ? [level] : level;
    this.#window.push(v);
    if (this.#window.length > this.#opts.samples) this.#window.shift();
    if (this.#window.length < this.#opts.samples || v[0] < this.#opts.min) return false;
    if (!this.#window.every((w) => this.#near(w, v))) return false;
    if (this.#reported !== undefined && this.#near(this.#reported, v)) return false;
    this.#reported = v;
    return true;
  }

  #near(a: readonly number[], b: readonly number[]): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const allowed = this.#opts.absolute + this.#opts.relative * Math.max(Math.abs(a[i]), Math.abs(b[i]));
      if (Math.abs(a[i] - b[i]) > allowed) return false;
    }
    return true;
  }
}

/** Growth since the baseline per unit added since it; memory never counts as shrinking below it. */
export function growthPerUnit(now: number, baseline: number, units: number): number {
  if (!(units > 0)) throw new RangeError(`growth per unit needs a positive number of units, got ${units}`);
  return Math.max(0, now - baseline) / units;
}
