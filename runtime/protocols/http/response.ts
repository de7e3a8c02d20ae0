/** The response object of one request (its public type is HttpResponse, types.ts). A failed request resolves too (status 0, `error`). */
import { usageError } from '../../errors.js';
import { parseSetCookies, type HttpCookie } from './cookies.js';
import { selectJson } from './json-selector.js';
import type { HttpResponse, Timings } from './types.js';

export class Response implements HttpResponse {
  #rawHeaders: Buffer[] | string[] | string | null;
  #headers: Record<string, string> | undefined;
  #request: { method: string; url: string } | undefined;
  #setCookies: string[] | undefined;

  // Positional, and `request` built on first read: one Response per request on the hot path.
  constructor(
    readonly url: string,
    readonly method: string,
    readonly status: number,
    readonly statusText: string,
    /** Alternating names and values, or the header block as received ("Name: value" lines joined by CRLF). */
    rawHeaders: Buffer[] | string[] | string | null,
    readonly body: string | Uint8Array | null,
    readonly timings: Timings,
    readonly error: string | undefined,
    readonly error_code: string | undefined,
  ) {
    this.#rawHeaders = rawHeaders;
  }

  get request(): { method: string; url: string } {
    return (this.#request ??= { method: this.method, url: this.url });
  }

  /** Built on first access: most load scripts never read headers. */
  get headers(): Record<string, string> {
    if (!this.#headers) {
      const h: Record<string, string> = {};
      const raw = typeof this.#rawHeaders === 'string' ? splitHeaderLines(this.#rawHeaders) : (this.#rawHeaders ?? []);
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const k = raw[i].toString().toLowerCase();
        const v = raw[i + 1].toString();
        if (k === 'set-cookie') (this.#setCookies ??= []).push(v);
        h[k] = k in h ? `${h[k]}, ${v}` : v;
      }
      this.#headers = h;
      this.#rawHeaders = null;
    }
    return this.#headers;
  }

  get status_text(): string {
    return this.status ? `${this.status} ${this.statusText}`.trimEnd() : '';
  }

  get proto(): string {
    return this.status ? 'HTTP/1.1' : '';
  }

  get cookies(): Record<string, HttpCookie[]> {
    void this.headers;
    return this.#setCookies ? parseSetCookies(this.#setCookies) : {};
  }

  json<T = any>(selector?: string): T {
    if (selector !== undefined) return selectJson(this.#parse(), selector) as T;
    return this.#parse() as T;
  }

  #parse(): unknown {
    const text = typeof this.body === 'string' ? this.body : this.body ? Buffer.from(this.body).toString('utf8') : '';
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      const preview = text.length > 80 ? `${text.slice(0, 80)}…` : text;
      throw usageError(`res.json(): the response of ${this.method} ${this.url} (status ${this.status}) is not JSON: ${(err as Error).message}; the body starts with ${JSON.stringify(preview)}`);
    }
  }
}

/** "Name: value" lines joined by CRLF → [name, value, name, value, …] (values trimmed). */
function splitHeaderLines(block: string): string[] {
  const out: string[] = [];
  let pos = 0;
  while (pos < block.length) {
    let next = block.indexOf('\r\n', pos);
    if (next === -1) next = block.length;
    const colon = block.indexOf(':', pos);
    if (colon !== -1 && colon < next) out.push(block.slice(pos, colon), block.slice(colon + 1, next).trim());
    pos = next + 2;
  }
  return out;
}

/** A response that came over HTTP/2 (h2-client.ts). */
export class H2Response extends Response {
  override get proto(): string {
    return this.status ? 'HTTP/2.0' : '';
  }
}
