/**
 * The scenario's code never runs in the coordinator: its options and exports are read in a worker
 * thread (a prespawned one when there is one: no start-up cost), and handleSummary() runs in a
 * thread of its own at the end. Whatever that code does (throw later from a timer, reject, call
 * process.exit, never settle) ends at most that thread; every wait for it is bounded and ends on a
 * stop from outside, so the coordinator always gets to write what was measured.
 */
import type { Worker } from 'node:worker_threads';
import { McprunError, deserializeError } from '../errors.js';
import { safeTimeout } from '../timers.js';
import type { CoordinatorMessage, ScriptFacts, WorkerMessage } from '../worker-protocol.js';
import { adoptPrespawned, lendBack, spawnWorkerThread } from './prespawn.js';
import { locationOf } from './script-errors.js';
import type { StopSignals } from './stop-signals.js';

/** What the top-level code may take to settle (a top-level await on a slow fetch is fine). */
export const SCRIPT_LOAD_TIMEOUT_MS = 60_000;
const HANDLE_SUMMARY_TIMEOUT_MS = 60_000;

type Answer = Extract<WorkerMessage, { type: 'script-read' | 'summary-handled' }>;

/**
 * Options, exports and custom metrics of the bundle, read with `env` (the -e values) visible. The
 * thread that read them goes back to the prespawned ones when `keep`: the pool adopts it first, as
 * worker 0, and it does not import the bundle again.
 */
export async function readScript(bundlePath: string, env: Record<string, string>, script: string, stops: StopSignals, keep: boolean): Promise<ScriptFacts> {
  // The coordinator's own environment: the -e values go with the message (a NODE_OPTIONS among them is the scenario's, not node's).
  const t = adoptPrespawned() ?? spawnWorkerThread({ ...process.env });
  const m = await ask(t, { type: 'read-script', bundlePath, env }, 'script-read', { script, what: 'while loading', timeoutMs: SCRIPT_LOAD_TIMEOUT_MS, stops });
  if (keep) lendBack(t);
  else void t.terminate();
  return (m as Extract<Answer, { type: 'script-read' }>).facts;
}

/** The scenario's handleSummary(data), run in a thread of its own; resolves with what it returned. */
export function isolatedHandleSummary(bundlePath: string, env: Record<string, string>, script: string, stops: StopSignals): (data: unknown) => Promise<unknown> {
  return async (data) => {
    const t = spawnWorkerThread({ ...process.env });
    try {
      const m = await ask(t, { type: 'handle-summary', bundlePath, env, data }, 'summary-handled', { script, what: 'in handleSummary()', timeoutMs: HANDLE_SUMMARY_TIMEOUT_MS, stops, hardOnly: true });
      return (m as Extract<Answer, { type: 'summary-handled' }>).result;
    } finally {
      void t.terminate();
    }
  };
}

interface AskOptions {
  script: string;
  /** "while loading", "in handleSummary()": where the scenario failed, for messages. */
  what: string;
  timeoutMs: number;
  stops: StopSignals;
  /** Only a hard stop ends the wait (the summary is being written after a graceful one). */
  hardOnly?: boolean;
}

/** One question to a thread; every way it can end (answer, failure, exit, timeout, stop) settles it once. */
function ask(t: Worker, msg: CoordinatorMessage, answer: Answer['type'], o: AskOptions): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    let offStop = () => {};
    const timer = safeTimeout(() => fail(new McprunError('MCPRUN_TIMEOUT', `the scenario's code ${o.what} did not finish within ${o.timeoutMs / 1000}s (${o.script}).`, { hint: 'A top-level await that never settles keeps mcprun waiting: make it settle, or move the work into setup().' })), o.timeoutMs);
    let settled = false;
    const done = () => {
      settled = true;
      clearTimeout(timer);
      offStop();
      t.off('message', onMessage);
      t.off('exit', onExit);
      t.off('error', onError);
    };
    const fail = (err: Error) => {
      done();
      void t.terminate();
      reject(err);
    };
    const onMessage = (m: WorkerMessage) => {
      if (m.type === answer) {
        done();
        resolve(m as Answer);
      } else if (m.type === 'fatal') fail(o.what === 'while loading' ? scriptFailure(deserializeError(m.error), o) : deserializeError(m.error));
    };
    const onExit = (code: number) =>
      fail(new McprunError('MCPRUN_SCRIPT_EXCEPTION', `the scenario ended its worker ${o.what} (${o.script}): exit code ${code}, from process.exit() in its code.`, { hint: 'Throw an error instead of calling process.exit(); mcprun ends the run itself.' }));
    const onError = (err: Error) => fail(scriptFailure(err, o));
    t.on('message', onMessage);
    t.on('exit', onExit);
    t.on('error', onError);
    t.ref();
    // Last: a stop that came already fails the question at once, with everything above set up.
    offStop = o.stops.onStop(() => fail(new McprunError('MCPRUN_STOPPED', `stopped from outside ${o.what} (${o.script})`)), o.hardOnly ?? false);
    if (!settled) t.postMessage(msg);
  });
}

function scriptFailure(e: Error, o: AskOptions): McprunError {
  if (McprunError.is(e)) return e;
  return new McprunError('MCPRUN_SCRIPT_EXCEPTION', `the scenario threw ${o.what} (${o.script}): ${e?.name ?? 'Error'}: ${e?.message ?? String(e)}${locationOf(e)}.`, {
    hint: 'Top-level code runs once per worker to read options; keep it to declarations.',
    cause: e,
  });
}
