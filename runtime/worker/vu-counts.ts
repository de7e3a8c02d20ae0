/**
 * How many VUs a worker has, counted as they change rather than sampled: a VU that is busy for
 * 5 ms between two samples still counts (a 1-iteration run reported `vus` max 0 when the VUs
 * were polled every 100 ms), and the VUs retired at the end do not lower `vus_max`.
 *
 * - active: VUs in an iteration or in a closed-model loop (between iterations too): the `vus` gauge.
 * - allocated: VUs that exist (created, not retired); `vus_max` is the most there were at once.
 */
export class VuCounts {
  active = 0;
  allocated = 0;
  /** Most VUs active at once since the previous `takeActivePeak()`. */
  #activePeak = 0;
  /** Most VUs allocated at once in the whole run. */
  maxAllocated = 0;

  changeActive(delta: number): void {
    this.active += delta;
    if (this.active > this.#activePeak) this.#activePeak = this.active;
  }

  changeAllocated(delta: number): void {
    this.allocated += delta;
    if (this.allocated > this.maxAllocated) this.maxAllocated = this.allocated;
  }

  /** The peak since the previous call; the next interval's starts from the VUs active now. */
  takeActivePeak(): number {
    const peak = this.#activePeak;
    this.#activePeak = this.active;
    return peak;
  }
}
