/** The scenario's own failures (while loading, in setup() or teardown()) as exit-107 errors that say where in the user's code. */
import { McprunError } from '../errors.js';
import { userFrame } from '../stack-location.js';

export function scriptError(where: string, err: Error | undefined): McprunError {
  if (err && McprunError.is(err)) return err;
  const msg = err ? `${err.name}: ${err.message}` : 'unknown error';
  return new McprunError('MCPRUN_SCRIPT_EXCEPTION', `the scenario threw in ${where}: ${msg}${locationOf(err)}.`);
}

/** " (at scenario.ts:12:7)" when the stack has a frame in the user's code. */
export function locationOf(err: Error | undefined): string {
  const where = userFrame(err?.stack);
  return where ? ` (at ${where})` : '';
}
