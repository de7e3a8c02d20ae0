/**
 * The two stops a run can be asked for from outside (Ctrl-C, SIGTERM, run()'s signals): the first
 * is graceful, `hard` skips the graceful wait. Watched from the first step of the run to the last,
 * so that every wait (the script's top-level code, setup(), a busy worker, teardown()) ends on one.
 */
export class StopSignals {
  constructor(
    readonly graceful: AbortSignal | undefined,
    readonly hard: AbortSignal | undefined,
  ) {}

  get requested(): boolean {
    return Boolean(this.graceful?.aborted || this.hard?.aborted);
  }

  get hardRequested(): boolean {
    return Boolean(this.hard?.aborted);
  }

  /** Calls `fn` on the first stop (only a hard one when `hardOnly`), at once if it came already. Returns the undo. */
  onStop(fn: () => void, hardOnly = false): () => void {
    const signals = [hardOnly ? undefined : this.graceful, this.hard].filter((s): s is AbortSignal => s !== undefined);
    if (signals.some((s) => s.aborted)) {
      fn();
      return () => {};
    }
    let called = false;
    const once = () => {
      if (called) return;
      called = true;
      off();
      fn();
    };
    const off = () => signals.forEach((s) => s.removeEventListener('abort', once));
    signals.forEach((s) => s.addEventListener('abort', once, { once: true }));
    return off;
  }
}
