/**
 * How the runtime bundle knows it was started as a worker (runtime/runtime-entry.ts) rather than imported
 * by a scenario: the coordinator starts threads with this workerData mark and processes with this
 * environment flag (prespawn.ts, worker-pool.ts).
 */
export const WORKER_THREAD_MARK = 'mcprun-worker-thread';
export const WORKER_PROCESS_ENV = 'MCPRUN_WORKER_PROCESS';
