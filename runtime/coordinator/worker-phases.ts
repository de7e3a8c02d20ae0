/**
 * The workers' side of a run, phase by phase: ready (each imported the bundle), setup() on worker
 * 0, the scenarios, teardown(data) on worker 0, shutdown (final metrics). Each phase waits with a
 * timeout: the coordinator never waits forever on a worker.
 */
import { McprunError } from '../errors.js';
import type { WorkerMessage } from '../worker-protocol.js';
import type { ScenarioSchedule } from './scenario-schedule.js';
import { scriptError } from './script-errors.js';
import { WORKER_START_TIMEOUT_MS, type WorkerPool } from './worker-pool.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;
/** What a setup()/teardown() may take beyond its own timeout before the worker counts as stuck. */
const HOOK_GRACE_MS = 5000;

type Msg<T extends WorkerMessage['type']> = Extract<WorkerMessage, { type: T }>;

export async function workersReady(pool: WorkerPool): Promise<void> {
  await Promise.all(
    pool.workers.map(async (w) => {
      const m = await pool.waitFor(
        (m): m is Msg<'ready' | 'fatal'> => (m.type === 'ready' || m.type === 'fatal') && m.workerIndex === w.index,
        WORKER_START_TIMEOUT_MS,
        `worker ${w.index} start`,
        w.index,
      );
      if (m.type === 'fatal') throw scriptError('loading', w.lastError);
      w.state = 'ready';
    }),
  );
}

/** setup() on worker 0; its result is what every worker's iterations receive. */
export async function runSetup(pool: WorkerPool, timeoutMs: number): Promise<unknown> {
  pool.workers[0].send({ type: 'setup', timeoutMs });
  const m = await pool.waitFor(
    (m): m is Msg<'setup-done' | 'fatal'> => m.type === 'setup-done' || (m.type === 'fatal' && m.phase === 'setup'),
    timeoutMs + HOOK_GRACE_MS,
    'setup()',
    0,
  );
  if (m.type === 'fatal') throw scriptError('setup()', pool.workers[0].lastError);
  return m.data;
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
export async function runTeardown(pool: WorkerPool, data: unknown, timeoutMs: number, stderr: NodeJS.WritableStream): Promise<boolean> {
  const w0 = pool.workers[0];
  if (w0.state !== 'ready') return true;
  w0.send({ type: 'teardown', data, timeoutMs });
  let failure: Error | undefined;
  try {
    const m = await pool.waitFor(
      (m): m is Msg<'teardown-done' | 'fatal'> => m.type === 'teardown-done' || (m.type === 'fatal' && m.phase === 'teardown'),
      timeoutMs + HOOK_GRACE_MS,
      'teardown()',
      0,
    );
    if (m.type === 'fatal') failure = scriptError('teardown()', w0.lastError);
  } catch (err) {
    failure = err as Error;
  }
  if (!failure) return true;
  stderr.write(`mcprun: ${McprunError.is(failure) ? failure.userMessage : failure.message}\n`);
  return false;
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
