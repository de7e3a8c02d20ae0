/**
 * Entry of dist/mcprun-runtime.mjs (see runtime/paths.ts). Exports the DSL; when this file is the
 * entry of a worker thread or of a worker process, it also starts the worker loop there. Imported
 * by a scenario (inside a worker: the coordinator never imports one), it only exports. A top-level module of
 * its own (beside runtime/index.ts), so no folder under runtime/ imports dsl/.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { startProcessWorker } from './worker/process-entry.js';
import { startThreadWorker } from './worker/thread-entry.js';
import { WORKER_PROCESS_ENV, WORKER_THREAD_MARK } from './worker/entry-marks.js';

export * from '../dsl/index.js';

if (!isMainThread && (workerData as { mark?: string } | undefined)?.mark === WORKER_THREAD_MARK) startThreadWorker();
else if (isMainThread && process.env[WORKER_PROCESS_ENV] === '1' && typeof process.send === 'function') startProcessWorker();
