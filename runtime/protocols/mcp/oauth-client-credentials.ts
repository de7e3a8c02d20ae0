/**
 * OAuth 2.1 client credentials for MCP sessions (`auth: { type: 'client_credentials', … }`): a
 * token from the token endpoint, shared by every session of the worker that names the same
 * endpoint, client and scope, and fetched again before it expires, so a soak of hours keeps
 * sending valid tokens without one token request per session. Sessions read the current
 * `Authorization` value per request (a version number tells them when it changed).
 *
 * The token request uses node:http(s) directly: one request per token lifetime is no hot path,
 * and it must not depend on the load client's pools (or on Node's global fetch).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseDuration } from '../../duration.js';
import { safeTimeout } from '../../timers.js';
import { McpError } from './errors.js';
import type { OAuthClientCredentials } from './handler-types.js';

const DEFAULT_REFRESH_BEFORE_MS = 30_000;
/** A failed refresh is tried again this soon (the old token stays in use until it expires). */
const RETRY_MS = 1000;
const TOKEN_TIMEOUT_MS = 10_000;

interface TokenAnswer {
  access_token?: unknown;
  token_type?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

function post(url: URL, body: string, headers: Record<string, string>, rejectUnauthorized: boolean): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, rejectUnauthorized, timeout: TOKEN_TIMEOUT_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (text.length < 65_536) text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TOKEN_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** One token (endpoint + client + scope) of one worker. */
export class TokenSource {
  /** `Bearer <token>` once a token was obtained. */
  authorization: string | undefined;
  /** `authorization: Bearer <token>\r\n` for a request head ('' before the first token). */
  headerLine = '';
  /** Incremented on every new token: sessions rebuild their headers when it changed. */
  version = 0;
  /** Token requests made (for tests and the summary's ground truth). */
  requests = 0;
  #expiresAt = 0;
  #fetching: Promise<McpError | undefined> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #refreshBeforeMs: number;
  readonly #url: URL;

  constructor(
    readonly o: OAuthClientCredentials,
    readonly rejectUnauthorized: boolean,
  ) {
    this.#url = new URL(o.tokenUrl);
    this.#refreshBeforeMs = o.refreshBefore === undefined ? DEFAULT_REFRESH_BEFORE_MS : parseDuration(o.refreshBefore, 'mcp.connect() option auth.refreshBefore');
  }

  /** A valid token is there (fetched now if needed); resolves with the auth McpError if none could be had. */
  ensure(): Promise<McpError | undefined> {
    if (this.authorization && Date.now() < this.#expiresAt) return Promise.resolve(undefined);
    return this.#obtain();
  }

  #obtain(): Promise<McpError | undefined> {
    this.#fetching ??= this.#request().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  async #request(): Promise<McpError | undefined> {
    const o = this.o;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (o.scope) form.set('scope', o.scope);
    if (o.resource) form.set('resource', o.resource);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (o.clientAuth === 'body') {
      form.set('client_id', o.clientId);
      form.set('client_secret', o.clientSecret);
    } else {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(o.clientId)}:${encodeURIComponent(o.clientSecret)}`).toString('base64')}`;
    }
    this.requests++;
    let answer: TokenAnswer;
    try {
      const r = await post(this.#url, form.toString(), headers, this.rejectUnauthorized);
      answer = (JSON.parse(r.text || '{}') ?? {}) as TokenAnswer;
      if (r.status !== 200 || typeof answer.access_token !== 'string') {
        const why = typeof answer.error === 'string' ? `${answer.error}${typeof answer.error_description === 'string' ? `: ${answer.error_description}` : ''}` : `HTTP ${r.status}`;
        return this.#failed(new McpError('auth', `the OAuth token endpoint ${o.tokenUrl} gave no token (${why}); check auth.clientId, auth.clientSecret and auth.scope`, undefined, r.status));
      }
    } catch (err) {
      return this.#failed(new McpError('auth', `the OAuth token endpoint ${o.tokenUrl} could not be reached: ${(err as Error).message}`));
    }
    const lifetimeMs = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in * 1000 : 3_600_000;
    if (/[\r\n\0]/.test(answer.access_token)) return this.#failed(new McpError('auth', `the OAuth token endpoint ${o.tokenUrl} gave a token that cannot be sent in a header`));
    this.authorization = `Bearer ${answer.access_token}`;
    this.headerLine = `authorization: ${this.authorization}\r\n`;
    this.version++;
    this.#expiresAt = Date.now() + lifetimeMs;
    // Refresh before expiry: `refreshBefore` ahead, at most half the lifetime ahead.
    this.#arm(Math.max(lifetimeMs - Math.min(this.#refreshBeforeMs, lifetimeMs / 2), 0));
    return undefined;
  }

  #failed(err: McpError): McpError {
    if (this.authorization) this.#arm(RETRY_MS);
    return err;
  }

  #arm(ms: number): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = safeTimeout(refresh, ms, this);
    this.#timer.unref();
  }

  refreshNow(): void {
    void this.#obtain();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
  }
}

function refresh(t: TokenSource): void {
  t.refreshNow();
}

/** The worker's tokens, one per endpoint + client + scope + resource. */
export class TokenCache {
  readonly #byKey = new Map<string, TokenSource>();

  constructor(readonly rejectUnauthorized: boolean) {}

  of(o: OAuthClientCredentials): TokenSource {
    const key = `${o.tokenUrl}\u0001${o.clientId}\u0001${o.scope ?? ''}\u0001${o.resource ?? ''}`;
    let t = this.#byKey.get(key);
    if (!t) this.#byKey.set(key, (t = new TokenSource(o, this.rejectUnauthorized)));
    return t;
  }

  close(): void {
    for (const t of this.#byKey.values()) t.close();
    this.#byKey.clear();
  }
}
