/**
 * What stops a run early, each watched from the moment the scenarios are about to start until the
 * workers are gone: a signal from outside, a worker that dies or fails, a threshold with
 * abortOnFail. Each records why in the RunState and stops the load through LoadControl; each
 * returns the function that stops watching.
 */
import { McprunError, deserializeError, type SerializedError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import type { ThresholdEntry, ThresholdVerdict } from '../thresholds/index.js';
import type { LoadControl } from './load-control.js';
import { scriptError } from './script-errors.js';
import type { RunState } from './run-state.js';
import type { ScenarioSchedule } from './scenario-schedule.js';
import type { WorkerPool } from './worker-pool.js';

const THRESHOLD_EVAL_EVERY_MS = 2000;

/** Ctrl-C or run()'s signal: the first stop is graceful; `hard` stops at once. */
export function watchSignals(signal: AbortSignal | undefined, hard: AbortSignal | undefined, state: RunState, load: LoadControl): () => void {
  const offs: Array<() => void> = [];
  const watch = (s: AbortSignal, graceful: boolean) => {
    const stop = () => {
      state.abortFromOutside();
      load.stop(graceful);
    };
    s.addEventListener('abort', stop, { once: true });
    offs.push(() => s.removeEventListener('abort', stop));
    return stop;
  };
  if (signal) {
    const stop = watch(signal, true);
    // Ctrl-C during setup(): the run stops as soon as it could start.
    if (signal.aborted) stop();
  }
  // A hard stop counts from now on: one that came earlier came with the graceful one above.
  if (hard) watch(hard, false);
  return () => offs.forEach((off) => off());
}

/**
 * A worker that dies (crash, out of memory, process.exit in user code) or reports a failure of the
 * runtime stops the run with what was measured (exit 106), or, with --continue-on-worker-error, the
 * others go on without it (and the summary says its share of the load is missing). A worker the
 * coordinator had to end because it did not answer after a stop from outside is said in the
 * summary and leaves the exit code 105. The scenario's top-level code throwing later (a timer, a
 * floating promise) stops the run as the script's error (107).
 */
export function watchWorkers(pool: WorkerPool, schedule: ScenarioSchedule, state: RunState, load: LoadControl, opts: { continueOnWorkerError: boolean; stderr: NodeJS.WritableStream }): () => void {
  const lost = new Set<number>();
  const workerLost = (index: number, why: string) => {
    if (lost.has(index)) return;
    lost.add(index);
    const err = new McprunError('MCPRUN_WORKER', `worker ${index} ${why}`);
    schedule.workerLost(index);
    if (pool.workers[index].killedBecause !== undefined && state.stoppedFromOutside) {
      state.warnings.push(`${err.message}; what it measured before is kept.`);
      return;
    }
    if (opts.continueOnWorkerError) {
      state.warnings.push(`${err.message}; the run went on with the other workers (--continue-on-worker-error), so its share of the load is missing from that moment on.`);
      if (lost.size < pool.workers.length) return;
    } else {
      opts.stderr.write(`mcprun: ${err.message}; stopping the run and reporting what was measured.\n`);
    }
    state.workerFailed(err);
    load.stop(false);
  };
  const offExit = pool.onExit((index, code, error) => {
    const w = pool.workers[index];
    if (w.state === 'stopping' || w.state === 'stopped' || w.killReported) return;
    workerLost(index, w.killedBecause ?? `died (exit code ${code})${error ? `: ${error.message}` : ''}`);
  });
  const offMessage = pool.onMessage((m) => {
    if (m.type !== 'fatal') return;
    if (m.phase === 'script') return scriptThrew(m.error, state, load, opts.stderr);
    if (m.phase !== 'run') return;
    pool.workers[m.workerIndex].state = 'failed';
    void pool.workers[m.workerIndex].terminate();
    workerLost(m.workerIndex, `failed: ${m.error.name}: ${m.error.message}`);
  });
  return () => {
    offExit();
    offMessage();
  };
}

/** Every worker runs the top-level code, so each may report the same throw: the first one stops the run. */
function scriptThrew(error: SerializedError, state: RunState, load: LoadControl, stderr: NodeJS.WritableStream): void {
  const why = scriptError('its top-level code after loading (a timer or a promise it started)', deserializeError(error)).message.replace(/\.$/, '');
  if (!state.abort(why, EXIT_CODES.SCRIPT_ERROR)) return;
  stderr.write(`mcprun: ${why}; stopping the run and reporting what was measured.\n`);
  load.stop(false);
}

/**
 * Thresholds with abortOnFail, every 2 s once their delayAbortEval has passed since the test began:
 * the first that fails stops the run at once (exit 108).
 */
export function watchThresholds(
  entries: readonly ThresholdEntry[],
  evaluate: (only: (e: ThresholdEntry) => boolean) => ThresholdVerdict[],
  runningForMs: () => number,
  state: RunState,
  load: LoadControl,
): () => void {
  if (!entries.some((e) => e.abortOnFail)) return () => {};
  const timer = setInterval(() => {
    if (state.aborted) return;
    const runFor = runningForMs();
    const failed = evaluate((e) => e.abortOnFail && runFor >= e.delayAbortEvalMs).find((v) => !v.ok && !v.noData);
    if (failed && state.abort(`threshold ${failed.entry.key}: '${failed.entry.source}' failed with abortOnFail`, EXIT_CODES.THRESHOLD_ABORT)) load.stop(false);
  }, THRESHOLD_EVAL_EVERY_MS);
  return () => clearInterval(timer);
}
