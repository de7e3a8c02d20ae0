/**
 * Errors nobody caught (a timer's callback threw, a promise nobody awaited rejected) would end the
 * worker, and what it measured since its last snapshot with it: both kinds of worker route them to
 * the loop, which says whose they are (a VU's, the scenario's top-level code's, or mcprun's own).
 */
import type { WorkerLoop } from './worker-loop.js';

export function catchStrayErrors(loop: WorkerLoop): void {
  process.on('uncaughtException', (err) => loop.strayError(err));
  process.on('unhandledRejection', (reason) => loop.strayError(reason));
}
