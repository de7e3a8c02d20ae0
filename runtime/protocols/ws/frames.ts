/**
 * RFC 6455 §5 frames as a client writes them: always masked (§5.3), header and masked payload in
 * one buffer, so one message is one socket write.
 */
import { randomMask } from './handshake.js';

export const enum Op {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xa,
}

/** One masked frame. `payload` is a string (written as UTF-8) or bytes. */
export function encodeFrame(opcode: number, payload: string | Uint8Array | null, fin = true): Buffer {
  const len = payload === null ? 0 : typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  const hdr = len < 126 ? 6 : len < 65536 ? 8 : 14;
  const buf = Buffer.allocUnsafe(hdr + len);
  buf[0] = (fin ? 0x80 : 0) | opcode;
  if (len < 126) buf[1] = 0x80 | len;
  else if (len < 65536) {
    buf[1] = 0x80 | 126;
    buf.writeUInt16BE(len, 2);
  } else {
    buf[1] = 0x80 | 127;
    buf.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    buf.writeUInt32BE(len >>> 0, 6);
  }
  const mask = randomMask();
  buf.writeUInt32BE(mask, hdr - 4);
  if (len === 0) return buf;
  if (typeof payload === 'string') buf.write(payload, hdr, 'utf8');
  else buf.set(payload!, hdr);
  maskInPlace(buf, hdr, len, mask);
  return buf;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** XORs buf[off .. off+len) with the 32-bit mask, four bytes at a time where it can. */
function maskInPlace(buf: Buffer, off: number, len: number, mask: number): void {
  const m0 = mask >>> 24;
  const m1 = (mask >>> 16) & 255;
  const m2 = (mask >>> 8) & 255;
  const m3 = mask & 255;
  const end = off + len;
  let i = off;
  if (len >= 64 && LITTLE_ENDIAN) {
    // Whole words through an Int32 view when the payload is 4-byte aligned in its ArrayBuffer.
    const abs = buf.byteOffset + off;
    if ((abs & 3) === 0) {
      const words = len >>> 2;
      const view = new Int32Array(buf.buffer, abs, words);
      // Little-endian: mask bytes m0..m3 in memory order.
      const w = (m3 << 24) | (m2 << 16) | (m1 << 8) | m0;
      for (let k = 0; k < words; k++) view[k] ^= w;
      i = off + words * 4;
    }
  }
  for (let j = (i - off) & 3; i < end; i++, j = (j + 1) & 3) buf[i] ^= j === 0 ? m0 : j === 1 ? m1 : j === 2 ? m2 : m3;
}

/** A masked close frame: the code (2 bytes, big-endian) and the UTF-8 reason (at most 123 bytes), or nothing. */
export function encodeClose(code: number | undefined, reason: string): Buffer {
  if (code === undefined) return encodeFrame(Op.Close, null);
  const len = 2 + (reason ? Buffer.byteLength(reason) : 0);
  const buf = Buffer.allocUnsafe(6 + len);
  buf[0] = 0x80 | Op.Close;
  buf[1] = 0x80 | len;
  const mask = randomMask();
  buf.writeUInt32BE(mask, 2);
  buf[6] = code >>> 8;
  buf[7] = code & 255;
  if (reason) buf.write(reason, 8, 'utf8');
  maskInPlace(buf, 6, len, mask);
  return buf;
}

/** Close codes a peer may send (RFC 6455 §7.4, as the `ws` package checks them). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}
