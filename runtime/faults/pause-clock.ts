/**
 * The fault schedule's clock: load time with the run's pauses (the control API's POST /api/pause)
 * taken out, as every scenario's clock has them taken out (pure).
 *
 * A fault placed at `startTime: '30s'` turns on when 30 s of this clock have passed, and one that
 * is on when the run is paused stays on, its remaining duration counted after the resume: a pause
 * holds the plan, faults included, and does not make a fault act at another point of the load
 * than the one written. Phase events (scenario starts and ends) are converted to this clock too,
 * so `after` and `during` placements agree with the scenarios they name.
 */
export class PauseClock {
  #pausedMs = 0;
  #since: number | undefined;

  get paused(): boolean {
    return this.#since !== undefined;
  }

  /** `t`: ms of load time (real). */
  pause(t: number): void {
    if (this.#since === undefined) this.#since = t;
  }

  resume(t: number): void {
    if (this.#since === undefined) return;
    this.#pausedMs += Math.max(0, t - this.#since);
    this.#since = undefined;
  }

  /** The clock at load time `t`, for `t` at or after every pause and resume so far. */
  at(t: number): number {
    return t - this.#pausedMs - (this.#since === undefined ? 0 : Math.max(0, t - this.#since));
  }
}
