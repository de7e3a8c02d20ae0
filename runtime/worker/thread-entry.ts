/** Worker-thread side: adapts `parentPort` to the transport-agnostic loop (started by runtime/runtime-entry.ts). */
import { parentPort } from 'node:worker_threads';
import type { CoordinatorMessage } from '../worker-protocol.js';
import { catchStrayErrors } from './stray-errors.js';
import { WorkerLoop } from './worker-loop.js';

export function startThreadWorker(): void {
  process.setSourceMapsEnabled(true);
  const port = parentPort!;
  const loop = new WorkerLoop({
    post: (msg) => port.postMessage(msg),
    on: (handler) => port.on('message', (m: CoordinatorMessage) => handler(m)),
    close: () => port.close(),
  });
  catchStrayErrors(loop);
}
