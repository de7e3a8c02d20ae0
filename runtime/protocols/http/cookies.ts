/**
 * A VU's cookie jar, as k6's: RFC 6265 rules (domain, path, expiry, Secure) by tough-cookie, the
 * well-kept implementation browsers' test suites are run against. A VU gets its jar when a response
 * first sets a cookie, or when the script asks for it (http.cookieJar(), params.cookies): until then
 * a request pays nothing for cookies but one indexOf over the response head (hasSetCookie).
 *
 * tough-cookie (and its public-suffix list) is loaded on first use with require(), so workers of
 * runs that never see a cookie never parse it.
 */
import { createRequire } from 'node:module';
import type * as ToughCookie from 'tough-cookie';

let lib: typeof ToughCookie | undefined;
function tough(): typeof ToughCookie {
  return (lib ??= createRequire(import.meta.url)('tough-cookie') as typeof ToughCookie);
}

/** A cookie as `res.cookies` and `jar.cookiesForURL()` give it (k6's fields). */
export interface HttpCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  httpOnly: boolean;
  secure: boolean;
  /** Seconds, 0 when the cookie has no Max-Age. */
  maxAge: number;
  /** RFC 1123 date, '' when the cookie has no Expires. */
  expires: string;
}

/** Options of `jar.set()` (k6's names). */
export interface CookieOptions {
  domain?: string;
  path?: string;
  expires?: string;
  max_age?: number;
  secure?: boolean;
  http_only?: boolean;
}

/** Per-request `params.cookies`: a value, or `{ value, replace: true }` to win over the jar's cookie of that name. */
export type RequestCookies = Record<string, string | { value: string; replace?: boolean }>;

/** Cheap pre-check on the raw head ("Name: value" lines): only then is it parsed. */
export function hasSetCookie(rawHeaders: string): boolean {
  return rawHeaders.indexOf('ookie') !== -1 || rawHeaders.indexOf('OOKIE') !== -1;
}

/** The Set-Cookie values of a raw header block. */
export function setCookieValues(rawHeaders: string): string[] {
  const out: string[] = [];
  for (const line of rawHeaders.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon !== -1 && line.slice(0, colon).trim().toLowerCase() === 'set-cookie') out.push(line.slice(colon + 1).trim());
  }
  return out;
}

export function toHttpCookie(c: ToughCookie.Cookie): HttpCookie {
  const expires = c.expires instanceof Date ? c.expires.toUTCString() : '';
  return {
    name: c.key,
    value: c.value,
    domain: c.domain ?? '',
    path: c.path ?? '/',
    httpOnly: c.httpOnly,
    secure: c.secure,
    maxAge: typeof c.maxAge === 'number' ? c.maxAge : 0,
    expires,
  };
}

/** `res.cookies`: the cookies a response set, by name (k6's shape: a list per name). */
export function parseSetCookies(values: string[]): Record<string, HttpCookie[]> {
  const out: Record<string, HttpCookie[]> = {};
  for (const v of values) {
    const c = tough().Cookie.parse(v, { loose: true });
    if (c) (out[c.key] ??= []).push(toHttpCookie(c));
  }
  return out;
}

/** The jar of one VU: http.cookieJar() returns it. */
export class VuCookieJar {
  readonly #jar: ToughCookie.CookieJar;

  constructor() {
    this.#jar = new (tough().CookieJar)(undefined, { looseMode: true });
  }

  /** The Cookie header for a request to `url` ('' when none applies). */
  header(url: string): string {
    return this.#jar.getCookieStringSync(url);
  }

  /** Stores what a response to `url` set (invalid or foreign-domain cookies are ignored, as browsers do). */
  store(url: string, values: string[]): void {
    for (const v of values) {
      try {
        this.#jar.setCookieSync(v, url, { ignoreError: true });
      } catch {
        // A malformed cookie is the server's problem; a browser drops it too.
      }
    }
  }

  /** k6: jar.cookiesForURL(url) → { name: [value, ...] }. */
  cookiesForURL(url: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.#jar.getCookiesSync(url)) (out[c.key] ??= []).push(c.value);
    return out;
  }

  /** k6: jar.set(url, name, value, options?). */
  set(url: string, name: string, value: string, opts: CookieOptions = {}): void {
    let s = `${name}=${value}`;
    if (opts.domain) s += `; Domain=${opts.domain}`;
    if (opts.path) s += `; Path=${opts.path}`;
    if (opts.expires) s += `; Expires=${opts.expires}`;
    if (opts.max_age !== undefined) s += `; Max-Age=${opts.max_age}`;
    if (opts.secure) s += '; Secure';
    if (opts.http_only) s += '; HttpOnly';
    this.#jar.setCookieSync(s, url);
  }

  /** k6: jar.delete(url, name): the cookies of that name that `url` would be sent. */
  delete(url: string, name: string): void {
    for (const c of this.#jar.getCookiesSync(url)) {
      if (c.key === name) this.#jar.store.removeCookie(c.domain ?? '', c.path ?? '/', c.key, () => {});
    }
  }

  /** k6: jar.clear(url): every cookie `url` would be sent. */
  clear(url: string): void {
    for (const c of this.#jar.getCookiesSync(url)) this.#jar.store.removeCookie(c.domain ?? '', c.path ?? '/', c.key, () => {});
  }
}

/** The Cookie header of a request: the jar's cookies, with params.cookies added (or replacing, with replace: true). */
export function cookieHeader(fromJar: string, own: RequestCookies | undefined): string {
  if (!own) return fromJar;
  const replaced = new Set<string>();
  let extra = '';
  for (const name in own) {
    const c = own[name];
    const value = typeof c === 'string' ? c : c.value;
    if (typeof c === 'object' && c.replace) replaced.add(name);
    extra += `${extra ? '; ' : ''}${name}=${value}`;
  }
  let base = fromJar;
  if (replaced.size && base) {
    base = base
      .split('; ')
      .filter((p) => !replaced.has(p.slice(0, p.indexOf('='))))
      .join('; ');
  }
  return base ? (extra ? `${base}; ${extra}` : base) : extra;
}
