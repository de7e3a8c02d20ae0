/**
 * The one buffer every plain TCP socket of this thread reads into (`net.connect({ onread })`), for
 * the HTTP and WebSocket clients alike: no Buffer allocated per read and no readable-stream queue.
 * Read callbacks run one at a time, so sockets never overlap in it; whatever must outlive a callback
 * (a partial head or frame, a kept body) is copied out of it by its reader.
 */
let buffer: Buffer | null = null;

export function sharedReadBuffer(): Buffer {
  return (buffer ??= Buffer.allocUnsafe(64 * 1024));
}
