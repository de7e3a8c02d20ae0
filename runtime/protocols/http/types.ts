/**
 * The types of `http.*` as scenario authors see them (re-exported by dsl/), and the worker's
 * resolved HTTP options. Implementation classes stay in their own files, out of the API.
 */

/** `options.http`, resolved: what every VU's HTTP client of a worker runs with. */
export interface HttpConfig {
  timeoutMs: number;
  /** Send `accept-encoding: gzip, deflate, br` and decode such bodies (options.http.compression). @default true */
  compression?: boolean;
  /** The user-agent header (--user-agent, options.userAgent); '' sends none. */
  userAgent?: string;
  /** --dns policy: the address family of new connections. @default 'any' */
  dnsPolicy?: 'preferIPv4' | 'preferIPv6' | 'onlyIPv4' | 'onlyIPv6' | 'any';
  /** HTTP/2 over TLS when the server offers it by ALPN (options.http.http2). @default true */
  http2?: boolean;
  /** HTTP/2 with prior knowledge on plain http:// origins (options.http.h2c). @default false */
  h2c?: boolean;
  /** options.tlsAuth: client certificates. */
  tlsAuth?: TlsAuthEntry[];
  /** --http-debug: heads, or heads and bodies, of every request and response on stderr. */
  debug?: 'headers' | 'full';
  shareConnections: boolean;
  batchPerHost: number;
  insecureSkipTLSVerify: boolean;
  /** @default 10 */
  maxRedirects?: number;
  /** options.http.noCookiesReset: a VU's cookie jar outlives its iterations (k6's noCookiesReset). @default false */
  noCookiesReset?: boolean;
  /** Bytes of a response body kept for the script (text or binary) at most. @default 64 MiB */
  maxResponseSize?: number;
}

import type { CookieOptions, HttpCookie, RequestCookies } from './cookies.js';
import type { ExpectedStatuses } from './expected-statuses.js';
import type { TlsAuthEntry } from './tls-auth.js';
export type { CookieOptions, HttpCookie, RequestCookies, ExpectedStatuses, TlsAuthEntry };

export type RequestBody = string | Uint8Array | ArrayBuffer | Record<string, unknown> | null | undefined;

export interface RequestParams {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  /** Overrides the default request timeout: "5s", or ms. */
  timeout?: string | number;
  /** 'text' (default), 'binary', or 'none' to drain and discard the body without keeping it. */
  responseType?: ResponseType;
  /** Redirects to follow for this request (k6's name); default `options.http.maxRedirects` (10). */
  redirects?: number;
  /** Cookies for this request only, over the jar's: `{ name: 'v' }` or `{ name: { value: 'v', replace: true } }`. */
  cookies?: RequestCookies;
  /** `null`: no cookie jar for this request (nothing sent from it, nothing stored in it); or another jar. */
  jar?: CookieJar | null;
  /** What counts as a failed request for this one (http.expectedStatuses(...)); default the worker's. */
  responseCallback?: ExpectedStatuses;
}

/** A VU's cookie jar (http.cookieJar()), as k6's. */
export interface CookieJar {
  /** The cookies a request to `url` would send: `{ name: [value, ...] }`. */
  cookiesForURL(url: string): Record<string, string[]>;
  set(url: string, name: string, value: string, options?: CookieOptions): void;
  delete(url: string, name: string): void;
  clear(url: string): void;
}

/** One request of `http.batch()`: a URL (GET), `[method, url, body?, params?]`, or an object. */
export type BatchRequest =
  | string
  | [method: string, url: string, body?: RequestBody, params?: RequestParams]
  | { method?: string; url: string; body?: RequestBody; params?: RequestParams };

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

/** What `http.get()` and friends resolve to. A failed request resolves too (status 0, `error`). */
export interface HttpResponse {
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  /** k6's status line text: "200 OK" ('' on a failed request). */
  readonly status_text: string;
  /** 'HTTP/1.1' or 'HTTP/2.0' ('' on a failed request). */
  readonly proto: string;
  /** The cookies this response set, by name (k6's shape). */
  readonly cookies: Record<string, HttpCookie[]>;
  /** Header names in lower case; repeated headers are joined with ", ". */
  readonly headers: Record<string, string>;
  /** string for responseType 'text' (default), Uint8Array for 'binary', null for 'none' or on error. */
  readonly body: string | Uint8Array | null;
  readonly timings: Timings;
  /** Set when the request failed below HTTP (refused, reset, timeout, DNS, TLS). */
  readonly error: string | undefined;
  readonly error_code: string | undefined;
  readonly request: { method: string; url: string };
  /**
   * Parse the body as JSON (throws a clear error if it is not); with a selector, the value at that
   * path: `user.name`, `items.0.id`, `items.#` (length), `items.#.id` (every element's), `a\\.b` (a dot in a key).
   */
  json<T = any>(selector?: string): T;
}
