/**
 * Worker threads started before the CLI proper has even loaded: a worker needs ~170 ms on this
 * kind of machine to boot and load the runtime bundle, and the coordinator needs about as long to
 * load, parse flags, bundle the scenario and read its options. Started first, the two overlap
 * (bench/startup.mjs: spawn to first request).
 *
 * Safe by construction: a prespawned worker does nothing until the pool adopts it and sends its
 * plan (no load before the run is validated); it is unref'd until then, so an invalid run, --help
 * or --version exit without waiting for it; one the run does not need is terminated.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { maskChunk } from '../output/mask-secrets.js';
import { RUNTIME_BUNDLE } from '../paths.js';
import { WORKER_THREAD_MARK } from '../worker/entry-marks.js';

const KEY = Symbol.for('mcprun.prespawnedWorkers');
/** More than this many workers are started by the pool as usual: the first ones are what the start waits for. */
const MAX_PRESPAWN = 4;

interface Prespawned {
  worker: Worker;
  exited: boolean;
  error: Error | undefined;
}

/**
 * Thread options shared by prespawned and pool-spawned workers (so either can be adopted). What
 * the scenario prints goes through the secret mask on its way to our stdout and stderr.
 */
export function spawnWorkerThread(env: NodeJS.ProcessEnv): Worker {
  const w = new Worker(RUNTIME_BUNDLE, { env, workerData: { mark: WORKER_THREAD_MARK }, stdout: true, stderr: true });
  forwardMasked(w.stdout, w.stderr);
  return w;
}

/** A worker's output (thread or process) to ours, secrets masked. */
export function forwardMasked(stdout: NodeJS.ReadableStream | null, stderr: NodeJS.ReadableStream | null): void {
  stdout?.on('data', (d: Buffer) => process.stdout.write(maskChunk(d)));
  stderr?.on('data', (d: Buffer) => process.stderr.write(maskChunk(d)));
}

/** Starts `requested` worker threads (the CPU count when undefined, never more than MAX_PRESPAWN). */
export function prespawnWorkers(requested: number | undefined): void {
  const cpus = availableParallelism();
  const n = Math.min(requested ?? cpus, cpus, MAX_PRESPAWN);
  const list: Prespawned[] = [];
  for (let i = 0; i < n; i++) {
    try {
      list.push(watched(spawnWorkerThread({ ...process.env })));
    } catch {
      break;
    }
  }
  (globalThis as Record<symbol, unknown>)[KEY] = list;
}

function watched(worker: Worker): Prespawned {
  const p: Prespawned = { worker, exited: false, error: undefined };
  worker.on('error', (err) => {
    p.error = err;
  });
  worker.once('exit', () => {
    p.exited = true;
  });
  worker.unref();
  return p;
}

/** A thread that read the scenario's options goes first in line: the pool adopts it as worker 0 (the bundle is imported there already). */
export function lendBack(worker: Worker): void {
  const g = globalThis as Record<symbol, unknown>;
  const list = ((g[KEY] as Prespawned[] | undefined) ??= []);
  worker.removeAllListeners();
  list.unshift(watched(worker));
}

/** A prespawned worker that is still alive, or undefined: the pool then spawns one itself. */
export function adoptPrespawned(): Worker | undefined {
  const list = (globalThis as Record<symbol, unknown>)[KEY] as Prespawned[] | undefined;
  while (list?.length) {
    const p = list.shift()!;
    if (!p.exited && !p.error) {
      p.worker.removeAllListeners();
      p.worker.ref();
      return p.worker;
    }
    void p.worker.terminate();
  }
  return undefined;
}

/** The run needs no more workers: end the ones nobody adopted. */
export function releasePrespawned(): void {
  const list = (globalThis as Record<symbol, unknown>)[KEY] as Prespawned[] | undefined;
  for (const p of list?.splice(0) ?? []) void p.worker.terminate();
}
