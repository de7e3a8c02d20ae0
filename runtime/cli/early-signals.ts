/**
 * Ctrl-C in the first fraction of a second, before the CLI proper has loaded: without a handler
 * Node dies of the signal (exit 130, no message, the scenario's temporary bundle folder left
 * behind). dist/cli.mjs installs these first thing; main() takes the signals they caught over
 * and handles them as its own (a stop before load: exit 105, said, nothing left behind). A global
 * symbol: the launcher and the CLI are two bundles.
 */
const KEY = Symbol.for('mcprun.earlySignals');

interface Early {
  caught: NodeJS.Signals[];
  handler: (sig: NodeJS.Signals) => void;
}

export function catchEarlySignals(): void {
  const early: Early = { caught: [], handler: (sig) => early.caught.push(sig) };
  (globalThis as Record<symbol, unknown>)[KEY] = early;
  process.on('SIGINT', early.handler);
  process.on('SIGTERM', early.handler);
}

/** Removes the early handlers and returns what they caught (in order). */
export function takeEarlySignals(): NodeJS.Signals[] {
  const early = (globalThis as Record<symbol, unknown>)[KEY] as Early | undefined;
  if (!early) return [];
  (globalThis as Record<symbol, unknown>)[KEY] = undefined;
  process.off('SIGINT', early.handler);
  process.off('SIGTERM', early.handler);
  return early.caught;
}
