/**
 * Child-process entry (`--pool processes`): adapts the IPC channel (`process.send` /
 * `process.on('message')`, forked with serialization 'advanced' so messages are structured
 * clones, exactly as between threads) to the transport-agnostic WorkerLoop. Each process has its
 * own heap and its own file-descriptor table, hence its own open-file limit.
 */
import type { CoordinatorMessage, WorkerMessage } from '../worker-protocol.js';
import { catchStrayErrors } from './stray-errors.js';
import { WorkerLoop } from './worker-loop.js';

export function startProcessWorker(): void {
  process.setSourceMapsEnabled(true);

  // Ctrl-C in a terminal reaches the whole process group: the coordinator decides how to stop.
  process.on('SIGINT', () => {});
  // The coordinator went away (crash, SIGKILL): nobody will read our results.
  process.on('disconnect', () => {
    if (!closing) process.exit(1);
  });

  let pending = 0;
  let closing = false;

  const post = (msg: WorkerMessage): void => {
    if (!process.connected) return;
    pending++;
    process.send!(msg, undefined, {}, () => {
      pending--;
      if (closing && pending === 0) disconnect();
    });
  };

  const disconnect = (): void => {
    if (process.connected) process.disconnect();
  };

  const loop = new WorkerLoop({
    post,
    on: (handler) =>
      process.on('message', (m: CoordinatorMessage) => handler(m)),
    // Flush what is still being written to the channel, then let the process end.
    close: () => {
      closing = true;
      if (pending === 0) disconnect();
    },
  });
  catchStrayErrors(loop);
}
