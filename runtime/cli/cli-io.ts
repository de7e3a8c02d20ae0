/** The streams a command writes to, and the stops from outside (Ctrl-C) it must heed. */
import type { Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}

export interface CommandContext {
  readonly io: CliIo;
  /** Aborted by the first SIGINT/SIGTERM (graceful stop). */
  readonly signal: AbortSignal;
  /** Aborted by the second one (stop now). */
  readonly hardSignal: AbortSignal;
}
