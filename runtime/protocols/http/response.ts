/** What `http.get()` and friends resolve to. A failed request resolves too (status 0, `error`). */

export interface Timings {
  /** Waiting for a free connection (or for the connection to be set up), ms. */
  blocked: number;
  /** TCP connect, when this request opened the connection, ms. */
  connecting: number;
  tls_handshaking: number;
  sending: number;
  /** Time to first byte after the request was sent, ms. */
  waiting: number;
  receiving: number;
  /** From the moment the script asked for the request to the last byte, ms. */
  duration: number;
}

export type ResponseType = 'text' | 'binary' | 'none';

export interface HttpResponse {
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  /** Header names in lower case; repeated headers are joined with ", ". */
  readonly headers: Record<string, string>;
  /** string for responseType 'text' (default), Uint8Array for 'binary', null for 'none' or on error. */
  readonly body: string | Uint8Array | null;
  readonly timings: Timings;
  /** Set when the request failed below HTTP (refused, reset, timeout, DNS, TLS). */
  readonly error: string | undefined;
  readonly error_code: string | undefined;
  readonly request: { method: string; url: string };
  /** Parse the body as JSON (throws a clear error if it is not). */
  json<T = any>(): T;
}

export class Response implements HttpResponse {
  #rawHeaders: Buffer[] | string[] | string | null;
  #headers: Record<string, string> | undefined;
  #request: { method: string; url: string } | undefined;

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
        h[k] = k in h ? `${h[k]}, ${v}` : v;
      }
      this.#headers = h;
      this.#rawHeaders = null;
    }
    return this.#headers;
  }

  json<T = any>(): T {
    const text = typeof this.body === 'string' ? this.body : this.body ? Buffer.from(this.body).toString('utf8') : '';
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      const preview = text.length > 80 ? `${text.slice(0, 80)}…` : text;
      throw new SyntaxError(`response of ${this.method} ${this.url} (status ${this.status}) is not JSON: ${(err as Error).message}; body starts with ${JSON.stringify(preview)}`);
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
