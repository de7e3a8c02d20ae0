/**
 * An append-only file written with synchronous writes: what was handed to `write()` is in the
 * kernel when it returns, so a crash of mcprun loses at most the interval not yet closed. Time
 * series outputs write one batch per interval, so the syscall count stays tiny.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export class FileSink {
  #fd: number | undefined;
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
    mkdirSync(dirname(this.path), { recursive: true });
    this.#fd = openSync(this.path, 'w');
  }

  write(text: string): void {
    if (this.#fd === undefined || !text) return;
    const buf = Buffer.from(text);
    let off = 0;
    while (off < buf.length) off += writeSync(this.#fd, buf, off, buf.length - off);
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}
