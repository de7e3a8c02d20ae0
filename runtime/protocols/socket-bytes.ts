/**
 * Exact wire bytes of a set of sockets (data_sent / data_received): what each socket counted since
 * the previous call, including sockets that closed in between. Shared by the HTTP client and the
 * MCP HTTP transports.
 */
import type { Socket } from 'node:net';

export class SocketBytes {
  readonly #sockets = new Set<Socket>();
  readonly #seen = new WeakMap<Socket, { read: number; written: number }>();
  #closedRead = 0;
  #closedWritten = 0;

  /** Counts `socket` from now on; `onClose` runs once when it closes. */
  track(socket: Socket, onClose?: () => void): void {
    this.#sockets.add(socket);
    this.#seen.set(socket, { read: 0, written: 0 });
    socket.once('close', () => {
      onClose?.();
      const last = this.#seen.get(socket);
      if (last) {
        this.#closedRead += socket.bytesRead - last.read;
        this.#closedWritten += socket.bytesWritten - last.written;
      }
      this.#sockets.delete(socket);
    });
  }

  /** Bytes read and written since the previous call. */
  take(): { read: number; written: number } {
    let read = this.#closedRead;
    let written = this.#closedWritten;
    this.#closedRead = 0;
    this.#closedWritten = 0;
    for (const s of this.#sockets) {
      const last = this.#seen.get(s)!;
      const r = s.bytesRead;
      const w = s.bytesWritten;
      read += r - last.read;
      written += w - last.written;
      last.read = r;
      last.written = w;
    }
    return { read, written };
  }
}
