/**
 * The pool of workers and their lifecycle: start, wait for messages with timeouts (the
 * coordinator never waits forever on a worker), and terminate. Workers are threads (default) or,
 * with `--pool processes`, child processes with their own heap and file-descriptor table (their
 * own open-file limit); both run the same WorkerLoop and speak the same protocol (structured
 * clones: `serialization: 'advanced'` on the IPC channel). Each imports the scenario bundle itself.
 */
import { fork } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { RUNTIME_BUNDLE } from '../paths.js';
import { McprunError, deserializeError } from '../errors.js';
import { adoptPrespawned, forwardMasked, spawnWorkerThread } from './prespawn.js';
import { WORKER_PROCESS_ENV } from '../worker/entry-marks.js';
import type { CoordinatorMessage, WorkerMessage, WorkerPlan } from '../worker-protocol.js';
import { safeTimeout } from '../timers.js';

// Both kinds of worker start from the runtime bundle (runtime/worker/runtime-entry.ts), which
// starts the loop when it sees the thread's workerData mark or the process's environment flag.
const WORKER_ENTRY = RUNTIME_BUNDLE;
export const WORKER_START_TIMEOUT_MS = 60_000;

export type WorkerState = 'starting' | 'ready' | 'stopping' | 'stopped' | 'failed';
export type PoolKind = 'threads' | 'processes';

export interface PoolWorker {
  readonly index: number;
  state: WorkerState;
  lastError: Error | undefined;
  /** Thread id or process id, for logs. */
  readonly pid: number | undefined;
  /** Why the coordinator ended it (it did not answer in time): said instead of "died". */
  killedBecause?: string;
  /** The part that ended it says so itself (a hook that did not return); the loss watch stays quiet. */
  killReported?: boolean;
  send(msg: CoordinatorMessage): void;
  terminate(): Promise<void>;
}

export class WorkerPool {
  readonly workers: PoolWorker[] = [];
  readonly kind: PoolKind;
  #listeners = new Set<(msg: WorkerMessage) => void>();
  #exitListeners = new Set<(index: number, code: number, error: Error | undefined) => void>();

  constructor(
    readonly plans: WorkerPlan[],
    readonly env: Record<string, string>,
    kind?: PoolKind,
  ) {
    this.kind = kind ?? plans[0]?.pool ?? 'threads';
    for (const plan of plans) this.workers.push(this.kind === 'processes' ? this.#spawnProcess(plan) : this.#spawnThread(plan));
  }

  #message(w: PoolWorker, msg: WorkerMessage): void {
    if (msg.type === 'fatal') w.lastError = deserializeError(msg.error);
    for (const l of this.#listeners) l(msg);
  }

  #exited(w: PoolWorker, code: number): void {
    if (w.state !== 'stopped') w.state = code === 0 && w.state === 'stopping' ? 'stopped' : 'failed';
    for (const l of this.#exitListeners) l(w.index, code, w.lastError);
  }

  #spawnThread(plan: WorkerPlan): PoolWorker {
    // A worker started at launch (prespawn.ts) gets its environment with the plan instead.
    // The -e values reach process.env with the plan, as for processes below.
    const t = adoptPrespawned() ?? spawnWorkerThread({ ...process.env });
    const w: PoolWorker = {
      index: plan.workerIndex,
      state: 'starting',
      lastError: undefined,
      pid: t.threadId,
      send: (msg) => t.postMessage(msg),
      terminate: async () => {
        await t.terminate();
      },
    };
    t.on('message', (msg: WorkerMessage) => this.#message(w, msg));
    t.on('error', (err) => {
      w.lastError = err;
      w.state = 'failed';
    });
    t.on('exit', (code) => this.#exited(w, code));
    t.postMessage({ type: 'init', plan } satisfies CoordinatorMessage);
    return w;
  }

  #spawnProcess(plan: WorkerPlan): PoolWorker {
    const child = fork(WORKER_ENTRY, [], {
      // The coordinator's own environment: the -e values reach process.env with the plan, so that a
      // NODE_OPTIONS or NODE_PATH given with -e (meant for the scenario) cannot stop node itself.
      env: { ...process.env, [WORKER_PROCESS_ENV]: '1' },
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // A debugger port cannot be shared by several processes.
      execArgv: process.execArgv.filter((a) => !a.startsWith('--inspect')),
    });
    let exitCode: number | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exitCode = code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1);
        if (signal && !w.lastError && w.state !== 'stopping' && w.state !== 'stopped') {
          w.lastError = new Error(`worker process ${child.pid} was killed by ${signal}`);
        }
        resolve();
        this.#exited(w, exitCode);
      });
    });
    const w: PoolWorker = {
      index: plan.workerIndex,
      state: 'starting',
      lastError: undefined,
      pid: child.pid,
      send: (msg) => {
        if (child.connected) child.send(msg);
      },
      terminate: async () => {
        if (exitCode !== undefined) return;
        if (child.pid === undefined) return; // never started ('error' said why)
        child.kill('SIGKILL');
        await exited;
      },
    };
    forwardMasked(child.stdout, child.stderr);
    child.on('message', (msg: WorkerMessage) => this.#message(w, msg));
    child.on('error', (err) => {
      w.lastError = err;
      // fork() itself failed: no 'exit' will come; report it as one so nobody waits for this worker.
      if (child.pid === undefined && exitCode === undefined) {
        exitCode = 1;
        w.state = 'failed';
        this.#exited(w, 1);
      }
    });
    child.send({ type: 'init', plan } satisfies CoordinatorMessage);
    return w;
  }

  /**
   * A worker that runs on another instance of the run (coordinator/instances/): it takes the next
   * global index, and its messages and its exit reach this pool's listeners through the returned
   * functions, as a local worker's do.
   */
  adopt(w: PoolWorker): { message: (msg: WorkerMessage) => void; exited: (code: number, error?: Error) => void } {
    if (w.index !== this.workers.length) throw new Error(`internal: worker ${w.index} adopted at position ${this.workers.length}`);
    this.workers.push(w);
    return {
      message: (msg) => this.#message(w, msg),
      exited: (code, error) => {
        w.lastError ??= error;
        this.#exited(w, code);
      },
    };
  }

  onMessage(fn: (msg: WorkerMessage) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  onExit(fn: (index: number, code: number, error: Error | undefined) => void): () => void {
    this.#exitListeners.add(fn);
    return () => this.#exitListeners.delete(fn);
  }

  /**
   * Ends a worker that does not answer (a VU in synchronous code, a stopped process): thread
   * terminate(), process SIGKILL, both of which work on a busy or stopped worker. What it flushed
   * before is already merged; its exit is reported to the onExit listeners with `why`.
   */
  kill(index: number, why: string, reportedByCaller = false): Promise<void> {
    const w = this.workers[index];
    if (w.state === 'stopped' || w.killedBecause !== undefined) return Promise.resolve();
    w.killedBecause = why;
    w.killReported = reportedByCaller;
    return w.terminate().catch(() => {});
  }

  broadcast(msg: CoordinatorMessage): void {
    for (const w of this.workers) if (w.state !== 'failed' && w.state !== 'stopped') w.send(msg);
  }

  /**
   * Resolves with the first message that `match` accepts; rejects after `timeoutMs`, when the
   * worker `from` (if given) exits first, or when `cancel` (given the reject function, returning
   * its undo) calls it: a stop from outside ends any wait.
   */
  waitFor<T extends WorkerMessage>(match: (m: WorkerMessage) => m is T, timeoutMs: number, what: string, from?: number, cancel?: (reject: (err: Error) => void) => () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let offCancel = () => {};
      let settled = false;
      const cleanup = () => {
        settled = true;
        clearTimeout(timer);
        offMsg();
        offExit();
        offCancel();
      };
      const timer = safeTimeout(() => {
        cleanup();
        reject(new McprunError('MCPRUN_WORKER', `${what} did not happen within ${Math.round(timeoutMs / 1000)}s.`));
      }, timeoutMs);
      const offMsg = this.onMessage((m) => {
        if (match(m)) {
          cleanup();
          resolve(m);
        }
      });
      const offExit = this.onExit((index, code, error) => {
        if (from === undefined || from === index) {
          cleanup();
          reject(new McprunError('MCPRUN_WORKER', `worker ${index} exited (code ${code}) while waiting for ${what}${error ? `: ${error.message}` : ''}.`, { cause: error }));
        }
      });
      if (cancel) {
        offCancel = cancel((err) => {
          cleanup();
          reject(err);
        });
        // It may have cancelled at once (a stop that came already): undo what it set up.
        if (settled) offCancel();
      }
    });
  }

  async terminateAll(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate().catch(() => {})));
  }
}
