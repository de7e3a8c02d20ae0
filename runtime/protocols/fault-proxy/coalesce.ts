/**
 * Adjacent ranges of one read buffer passed on as one: a read that holds a whole request (head
 * and body framed apart) still leaves in one `write`, as the read itself when nothing was cut out
 * of it (the buffer itself then, no view allocated).
 */
export class Coalescer {
  #buf: Buffer | null = null;
  #start = 0;
  #end = 0;
  #notBefore = 0;

  constructor(readonly emit: (bytes: Buffer, notBefore: number) => void) {}

  add(buf: Buffer, start: number, end: number, notBefore = 0): void {
    if (end <= start) return;
    if (buf === this.#buf && start === this.#end && notBefore === this.#notBefore) {
      this.#end = end;
      return;
    }
    this.flush();
    this.#buf = buf;
    this.#start = start;
    this.#end = end;
    this.#notBefore = notBefore;
  }

  flush(): void {
    const buf = this.#buf;
    if (buf === null) return;
    this.#buf = null;
    this.emit(this.#start === 0 && this.#end === buf.length ? buf : buf.subarray(this.#start, this.#end), this.#notBefore);
  }
}
