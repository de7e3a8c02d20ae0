/** Where the CLI and its subcommands write: stdout and stderr, or a test's streams. */
import type { Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}
