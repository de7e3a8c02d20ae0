/**
 * An append-only file written with synchronous writes: what was handed to `write()` is in the
 * kernel when it returns, so a crash of mcprun loses at most the interval not yet closed. Time
 * series outputs write one batch per interval, so the syscall count stays tiny.
 *
 * A write that fails (the disk is full) degrades this output, never the run: `onFail` hears of it
 * once, nothing more is written, and the truncated file is moved aside to NAME.partial so that no
 * truncated file stays under the name a CI job reads.
 */
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { maskText } from './mask-secrets.js';
import { checkOutputFile } from './output-path.js';

export class FileSink {
  #fd: number | undefined;
  readonly path: string;
  /** The first write error, if any: the file was moved to `${path}.partial`. */
  failure: Error | undefined;

  constructor(
    path: string,
    label: string,
    readonly onFail: (err: Error) => void = () => {},
  ) {
    this.path = checkOutputFile(path, label);
    this.#fd = openSync(this.path, 'w');
  }

  write(text: string): void {
    if (this.#fd === undefined || !text) return;
    const buf = Buffer.from(maskText(text));
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.#fd, buf, off, buf.length - off);
    } catch (err) {
      this.#fail(err as Error);
    }
  }

  #fail(err: Error): void {
    this.failure = err;
    this.close();
    try {
      renameSync(this.path, `${this.path}.partial`);
    } catch {
      // Said below either way; a file that cannot even be renamed is the user's to look at.
    }
    this.onFail(err);
  }

  close(): void {
    if (this.#fd === undefined) return;
    try {
      closeSync(this.#fd);
    } catch (err) {
      // A full disk can fail the close too (delayed write-back).
      this.#fd = undefined;
      if (!this.failure) this.#fail(err as Error);
    }
    this.#fd = undefined;
  }
}
