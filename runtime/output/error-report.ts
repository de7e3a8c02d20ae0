/** How an error that ends a run reads on stderr: one paragraph, the stack only with --verbose. */
import type { Writable } from 'node:stream';
import { McprunError } from '../errors.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';

/** Writes the error and returns the exit code it maps to. */
export function reportError(err: unknown, stderr: Writable, verbose: boolean): ExitCode {
  if (McprunError.is(err)) {
    stderr.write(`mcprun: ${err.userMessage}\n`);
    if (verbose && err.stack) stderr.write(`${err.stack}\n`);
    // The scenario's own error (a top-level throw): its stack is the one the user needs.
    if (verbose && err.cause instanceof Error && err.cause.stack) stderr.write(`Caused by: ${err.cause.stack}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  stderr.write(`mcprun: internal error: ${e?.message ?? String(err)}. This is a bug in mcprun; please report it with the output of --verbose.\n`);
  if (verbose && e?.stack) stderr.write(`${e.stack}\n`);
  return EXIT_CODES.INTERNAL;
}
