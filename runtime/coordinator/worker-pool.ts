/**
 * The pool of workers and their lifecycle: start, wait for messages with timeouts (the
 * coordinator never waits forever on a worker), and terminate. Workers are threads; each imports
 * the scenario bundle itself.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { McprunError, deserializeError } from '../errors.js';
import type { CoordinatorMessage, WorkerMessage, WorkerPlan } from '../worker-protocol.js';

const THREAD_ENTRY = fileURLToPath(new URL('../worker/thread-entry.js', import.meta.url));
export const WORKER_START_TIMEOUT_MS = 60_000;

export type WorkerState = 'starting' | 'ready' | 'stopping' | 'stopped' | 'failed';

export interface PoolWorker {
  readonly index: number;
  state: WorkerState;
  lastError: Error | undefined;
  send(msg: CoordinatorMessage): void;
  terminate(): Promise<void>;
}

export class WorkerPool {
  readonly workers: PoolWorker[] = [];
  #listeners = new Set<(msg: WorkerMessage) => void>();
  #exitListeners = new Set<(index: number, code: number, error: Error | undefined) => void>();

  constructor(readonly plans: WorkerPlan[], readonly env: Record<string, string>) {
    for (const plan of plans) this.workers.push(this.#spawn(plan));
  }

  #spawn(plan: WorkerPlan): PoolWorker {
    const t = new Worker(THREAD_ENTRY, { env: { ...process.env, ...this.env }, stdout: false, stderr: false });
    const w: PoolWorker = {
      index: plan.workerIndex,
      state: 'starting',
      lastError: undefined,
      send: (msg) => t.postMessage(msg),
      terminate: async () => {
        await t.terminate();
      },
    };
    t.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'fatal') w.lastError = deserializeError(msg.error);
      for (const l of this.#listeners) l(msg);
    });
    t.on('error', (err) => {
      w.lastError = err;
      w.state = 'failed';
    });
    t.on('exit', (code) => {
      if (w.state !== 'stopped') w.state = code === 0 && w.state === 'stopping' ? 'stopped' : 'failed';
      for (const l of this.#exitListeners) l(w.index, code, w.lastError);
    });
    t.postMessage({ type: 'init', plan } satisfies CoordinatorMessage);
    return w;
  }

  onMessage(fn: (msg: WorkerMessage) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  onExit(fn: (index: number, code: number, error: Error | undefined) => void): () => void {
    this.#exitListeners.add(fn);
    return () => this.#exitListeners.delete(fn);
  }

  broadcast(msg: CoordinatorMessage): void {
    for (const w of this.workers) if (w.state !== 'failed' && w.state !== 'stopped') w.send(msg);
  }

  /**
   * Resolves with the first message that `match` accepts; rejects after `timeoutMs`, or when the
   * worker `from` (if given) exits first.
   */
  waitFor<T extends WorkerMessage>(match: (m: WorkerMessage) => m is T, timeoutMs: number, what: string, from?: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        offMsg();
        offExit();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new McprunError('MCPRUN_WORKER', `[mcprun:pool] ${what} did not happen within ${Math.round(timeoutMs / 1000)}s.`));
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
          reject(new McprunError('MCPRUN_WORKER', `[mcprun:pool] worker ${index} exited (code ${code}) while waiting for ${what}${error ? `: ${error.message}` : ''}.`, { cause: error }));
        }
      });
    });
  }

  async terminateAll(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate().catch(() => {})));
  }
}
