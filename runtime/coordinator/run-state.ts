/**
 * How the run is going, apart from its metrics: whether and why it was stopped early, which
 * failure decides its exit code, and the warnings the watchers gathered. The first word on each
 * counts (a later stop or failure does not replace it). The exit code itself is a pure function of
 * the outcome, `exitCodeOf`, table-tested in test/unit/coordinator.
 */
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';

export interface RunOutcome {
  /** At least one threshold failed at the end. */
  thresholdsFailed: boolean;
  /** A worker died or failed (106), unless --continue-on-worker-error kept the run going. */
  workerFailure: Error | undefined;
  /** The code a stop or failure asked for: a threshold with abortOnFail (108), teardown() threw (107). */
  requestedExit: ExitCode | undefined;
  /** Why the run was stopped early; null when it ran to its end. */
  aborted: string | null;
  /** An output could not be written (the disk filled up under --out, the export could not be written). */
  outputFailed?: boolean;
}

/** Precedence: a lost worker, then the code a stop asked for, then an outside stop, then the thresholds, then a failed output. */
export function exitCodeOf(o: RunOutcome): ExitCode {
  if (o.workerFailure) return EXIT_CODES.WORKER_FAILED;
  if (o.requestedExit !== undefined) return o.requestedExit;
  if (o.aborted) return EXIT_CODES.EXTERNAL_ABORT;
  if (o.thresholdsFailed) return EXIT_CODES.THRESHOLDS_FAILED;
  return o.outputFailed ? EXIT_CODES.OUTPUT_FAILED : EXIT_CODES.OK;
}

/** Why a run stopped by Ctrl-C, SIGTERM or run()'s signal reads as it does. */
export const OUTSIDE_STOP = 'stopped from outside (SIGINT/SIGTERM)';

export class RunState {
  #aborted: string | null = null;
  #outside = false;
  #requestedExit: ExitCode | undefined;
  #workerFailure: Error | undefined;
  #outputFailed = false;
  /** Said in the summary: workers lost under --continue-on-worker-error. */
  readonly warnings: string[] = [];

  get aborted(): string | null {
    return this.#aborted;
  }

  get workerFailure(): Error | undefined {
    return this.#workerFailure;
  }

  /** The run stops early for `reason`; `exitCode` when the stop has a code of its own. False if it was already stopped. */
  abort(reason: string, exitCode?: ExitCode): boolean {
    if (this.#aborted !== null) return false;
    this.#aborted = reason;
    if (exitCode !== undefined) this.#requestedExit ??= exitCode;
    return true;
  }

  /** Ctrl-C, SIGTERM, run()'s signal. */
  abortFromOutside(): boolean {
    if (!this.abort(OUTSIDE_STOP)) return false;
    this.#outside = true;
    return true;
  }

  /** The run was stopped from outside (first): a worker ended after that for not answering is no failure of the run. */
  get stoppedFromOutside(): boolean {
    return this.#outside;
  }

  /** A part of the run failed without stopping it (teardown() threw): its code, unless one was asked for first. */
  fail(exitCode: ExitCode): void {
    this.#requestedExit ??= exitCode;
  }

  workerFailed(err: Error): void {
    this.#workerFailure ??= err;
  }

  /** An output stopped writing during the run (`what` says which and why): in the summary's warnings and the exit code. */
  outputFailed(what: string): void {
    this.#outputFailed = true;
    this.warnings.push(what);
  }

  outcome(thresholdsFailed: boolean): RunOutcome {
    return { thresholdsFailed, workerFailure: this.#workerFailure, requestedExit: this.#requestedExit, aborted: this.#aborted, outputFailed: this.#outputFailed };
  }
}
