/**
 * Content-Encoding decoding of a kept body (gzip, x-gzip, deflate, br, and lists of them), with
 * node:zlib. The wire bytes are what data_received counts (the sockets count them); this only
 * changes what the script reads in res.body. responseType 'none' keeps no body, so nothing is decoded.
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { ProtocolError } from '../../errors.js';

/** The Content-Encoding value of a raw header block, or undefined (cheap pre-check first: most responses have none). */
export function contentEncoding(rawHeaders: string): string | undefined {
  if (rawHeaders.indexOf('ncoding') === -1 && rawHeaders.indexOf('NCODING') === -1) return undefined;
  const m = /(?:^|\r\n)content-encoding[ \t]*:[ \t]*([^\r\n]*)/i.exec(rawHeaders);
  const v = m?.[1].trim().toLowerCase();
  return v && v !== 'identity' ? v : undefined;
}

export function decodeBody(body: Buffer, encoding: string, maxSize: number): Buffer {
  let out = body;
  // Codings are listed in the order they were applied: undo them from the last.
  const codings = encoding.split(',').map((c) => c.trim()).filter(Boolean).reverse();
  try {
    for (const c of codings) {
      const opts = { maxOutputLength: maxSize };
      if (c === 'gzip' || c === 'x-gzip') out = gunzipSync(out, opts);
      else if (c === 'br') out = brotliDecompressSync(out, opts);
      else if (c === 'deflate') {
        // "deflate" is zlib-wrapped by the RFC; some servers send it raw.
        try {
          out = inflateSync(out, opts);
        } catch {
          out = inflateRawSync(out, opts);
        }
      } else if (c !== 'identity') throw new Error(`unsupported Content-Encoding "${c}"`);
    }
  } catch (err) {
    throw new ProtocolError('MCPRUN_HTTP_DECODE', `response body could not be decoded (Content-Encoding: ${encoding}): ${(err as Error).message}`, undefined, { noStack: true });
  }
  return out;
}
