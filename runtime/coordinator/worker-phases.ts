/**
 * The workers' side of a run, phase by phase: ready (each imported the bundle), setup() on worker
 * 0, the scenarios, teardown(data) on worker 0, shutdown (final metrics). Every wait is bounded
 * and ends on a stop from outside: a hook that does not answer in time is the scenario's failure
 * (107), one that is still running when the run is stopped for good is ended with its worker.
 */
import { McprunError } from '../errors.js';
import { safeTimeout } from '../timers.js';
import type { CoordinatorMessage, WorkerMessage } from '../worker-protocol.js';
import type { RunState } from './run-state.js';
import type { ScenarioSchedule } from './scenario-schedule.js';
import { scriptError } from './script-errors.js';
import type { StopSignals } from './stop-signals.js';
import { HARD_STOP_MS } from './stuck-workers.js';
import { WORKER_START_TIMEOUT_MS, type WorkerPool } from './worker-pool.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;
/** What a setup()/teardown() may take beyond its own timeout before the worker counts as stuck. */
const HOOK_GRACE_MS = 5000;

type Msg<T extends WorkerMessage['type']> = Extract<WorkerMessage, { type: T }>;

/** What the phases need besides the pool: the stops from outside, where to record what happened. */
export interface PhaseContext {
  readonly pool: WorkerPool;
  readonly stops: StopSignals;
  readonly state: RunState;
  readonly stderr: NodeJS.WritableStream;
  /** How long a hook may go on after a graceful stop (the run's largest gracefulStop). */
  readonly graceMs: number;
}

const stopped = (what: string) => new McprunError('MCPRUN_STOPPED', `${what} had not finished when the run was stopped`);

/** Every worker has imported the bundle. A stop from outside ends the wait (the run then reports what it has: nothing). */
export async function workersReady({ pool, stops }: PhaseContext): Promise<void> {
  await Promise.all(
    pool.workers.map(async (w) => {
      const m = await pool.waitFor(
        (m): m is Msg<'ready' | 'fatal'> => (m.type === 'ready' || m.type === 'fatal') && m.workerIndex === w.index,
        WORKER_START_TIMEOUT_MS,
        `worker ${w.index} start`,
        w.index,
        (cancel) => stops.onStop(() => cancel(stopped(`worker ${w.index} start`))),
      ).catch((err: unknown) => {
        if (McprunError.is(err) && err.mcprunCode === 'MCPRUN_STOPPED') return undefined;
        throw err;
      });
      if (m?.type === 'fatal') throw scriptError('loading', w.lastError);
      if (m) w.state = 'ready';
    }),
  );
}

/** setup() on worker 0; its result is what every worker's iterations receive. */
export async function runSetup(ctx: PhaseContext, timeoutMs: number): Promise<unknown> {
  if (ctx.pool.workers[0].state !== 'ready') return undefined;
  const m = await runHook(ctx, 'setup', { type: 'setup', timeoutMs }, timeoutMs);
  return m?.type === 'setup-done' ? m.data : undefined;
}

/** Every phase of the schedule, until the last one is done or the run is stopped. */
export async function runScenarios(pool: WorkerPool, schedule: ScenarioSchedule, data: unknown): Promise<void> {
  pool.onMessage((m) => {
    if (m.type === 'scenario-done') schedule.workerDone(m.name, m.workerIndex);
  });
  schedule.begin((p) => pool.broadcast({ type: 'start-scenario', name: p.scenario.name, data }));
  await schedule.allDone;
}

/**
 * teardown(data) on worker 0, also after a stop (not when worker 0 is gone). False when it threw or
 * timed out (said on stderr): the run's exit code is then 107.
 */
export async function runTeardown(ctx: PhaseContext, data: unknown, timeoutMs: number): Promise<boolean> {
  if (ctx.pool.workers[0].state !== 'ready') return true;
  try {
    await runHook(ctx, 'teardown', { type: 'teardown', data, timeoutMs }, timeoutMs);
    return true;
  } catch (failure) {
    ctx.stderr.write(`mcprun: ${McprunError.is(failure) ? failure.userMessage : (failure as Error).message}\n`);
    return false;
  }
}

/**
 * One hook on worker 0, waited for at most its timeout (plus a grace for the answer to come), less
 * after a stop from outside: the run's gracefulStop after the first, nothing after the second.
 * Undefined when the stop ended it (worker 0 is then terminated, and the summary says so).
 */
async function runHook(ctx: PhaseContext, name: 'setup' | 'teardown', msg: CoordinatorMessage, timeoutMs: number): Promise<Msg<'setup-done' | 'teardown-done'> | undefined> {
  const { pool } = ctx;
  const w0 = pool.workers[0];
  w0.send(msg);
  const what = `${name}()`;
  try {
    const m = await pool.waitFor(
      (m): m is Msg<'setup-done' | 'teardown-done' | 'fatal'> => m.type === `${name}-done` || (m.type === 'fatal' && m.phase === name),
      timeoutMs + HOOK_GRACE_MS * 2,
      what,
      0,
      (cancel) => hookDeadline(ctx, what, timeoutMs + HOOK_GRACE_MS, cancel),
    );
    if (m.type === 'fatal') throw scriptError(what, w0.lastError);
    return m;
  } catch (err) {
    if (!McprunError.is(err) || (err.mcprunCode !== 'MCPRUN_STOPPED' && err.mcprunCode !== 'MCPRUN_TIMEOUT')) throw err;
    await pool.kill(0, `was terminated: ${err.message}`, true);
    if (err.mcprunCode === 'MCPRUN_TIMEOUT') throw err;
    ctx.state.warnings.push(`worker 0 was terminated: ${err.message}; what it measured before is kept.`);
    return undefined;
  }
}

/**
 * Rejects at `ms` (the hook is stuck: 107), or earlier on a stop from outside: a graceful one
 * leaves it the run's gracefulStop, a hard one ends it at once. A hook that starts after a stop
 * (teardown) gets that window from its start: gracefulStop, or HARD_STOP_MS after a hard stop.
 */
function hookDeadline(ctx: PhaseContext, what: string, ms: number, cancel: (err: Error) => void): () => void {
  const { stops, graceMs } = ctx;
  const window = stops.hardRequested ? HARD_STOP_MS : stops.requested ? graceMs : Infinity;
  const end = Date.now() + Math.min(ms, window);
  const at = (t: number, err: () => Error) => safeTimeout(() => cancel(err()), Math.max(0, t - Date.now()));
  let timer = at(end, () => (window < ms ? stopped(`${what} (given ${Math.round(window / 1000)}s after the stop)`) : stuck(what, ms)));
  if (stops.requested) return () => clearTimeout(timer);
  const offGraceful = stops.onStop(() => {
    if (end - Date.now() <= graceMs) return;
    clearTimeout(timer);
    timer = at(Date.now() + graceMs, () => stopped(`${what} (given ${Math.round(graceMs / 1000)}s after the stop)`));
  });
  const offHard = stops.onStop(() => cancel(stopped(what)), true);
  return () => {
    clearTimeout(timer);
    offGraceful();
    offHard();
  };
}

function stuck(what: string, ms: number): McprunError {
  return new McprunError('MCPRUN_TIMEOUT', `${what} did not finish within ${Math.round(ms / 1000)}s and its worker did not answer (synchronous code that never returns?): worker 0 was terminated.`, {
    hint: `Make ${what} return, or raise options.${what.slice(0, -2)}Timeout.`,
  });
}

/** Every live worker flushes its last metrics and ends; one that does not in time is said and left to terminateAll(). */
export async function shutdownWorkers(pool: WorkerPool, stderr: NodeJS.WritableStream): Promise<void> {
  const live = pool.workers.filter((w) => w.state === 'ready');
  for (const w of live) {
    w.state = 'stopping';
    w.send({ type: 'shutdown' });
  }
  await Promise.all(
    live.map((w) =>
      pool
        .waitFor((m): m is Msg<'shutdown-done'> => m.type === 'shutdown-done' && m.workerIndex === w.index, SHUTDOWN_TIMEOUT_MS, `worker ${w.index} shutdown`, w.index)
        .then(() => (w.state = 'stopped'))
        .catch(() => {
          stderr.write(`mcprun: worker ${w.index} did not shut down within ${SHUTDOWN_TIMEOUT_MS / 1000}s; its last interval of metrics may be missing.\n`);
        }),
    ),
  );
}
