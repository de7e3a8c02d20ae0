/**
 * Adjacent views of one read buffer joined back into one, so that a read holding a whole request
 * (head and body framed apart) still leaves in one `write`: one syscall, as without framing.
 */
export class Coalescer {
  #bytes: Buffer | null = null;
  #notBefore = 0;

  constructor(readonly emit: (bytes: Buffer, notBefore: number) => void) {}

  add(bytes: Buffer, notBefore = 0): void {
    if (bytes.length === 0) return;
    const cur = this.#bytes;
    if (cur !== null && notBefore === this.#notBefore && cur.buffer === bytes.buffer && cur.byteOffset + cur.length === bytes.byteOffset) {
      this.#bytes = Buffer.from(cur.buffer, cur.byteOffset, cur.length + bytes.length);
      return;
    }
    this.flush();
    this.#bytes = bytes;
    this.#notBefore = notBefore;
  }

  flush(): void {
    const cur = this.#bytes;
    if (cur === null) return;
    this.#bytes = null;
    this.emit(cur, this.#notBefore);
  }
}
