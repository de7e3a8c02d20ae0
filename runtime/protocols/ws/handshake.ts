/**
 * The opening handshake of RFC 6455 §4, client side, without Node's HTTP client: the upgrade
 * request is a string built once per URL (only the key changes), and the 101 response is parsed
 * here. Node's `http.request` + 'upgrade' (what the `ws` package uses) was most of the CPU of a
 * connection in bench/connections.
 */
import * as crypto from 'node:crypto';
import { randomFillSync } from 'node:crypto';
import { isIP } from 'node:net';
import { ProtocolError, usageError } from '../../errors.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const URL_CACHE_MAX = 10_000;

/** Where and how to connect for one ws:// or wss:// URL, with the constant part of the request. */
export interface UpgradeTarget {
  url: string;
  secure: boolean;
  /** For net/tls.connect (brackets of an IPv6 literal removed). */
  host: string;
  port: number;
  /** SNI: the host name, or undefined for an IP address. */
  servername: string | undefined;
  /** "GET /path?query HTTP/1.1\r\n" */
  requestLine: string;
  /** The Host header's value (host[:port] as in the URL). */
  hostHeader: string;
  /** `Authorization: Basic …` for credentials in the URL (ws://user:pass@host/), as `ws` sends it; else undefined. */
  basicAuth: string | undefined;
}

const targets = new Map<string, UpgradeTarget>();

/** Parses (and caches) a ws:// or wss:// URL; throws an MCPRUN_USAGE error for anything else. */
export function upgradeTarget(url: string): UpgradeTarget {
  let t = targets.get(url);
  if (t) return t;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw usageError(`ws.connect(${JSON.stringify(url)}): not a valid URL; expected a ws:// or wss:// URL such as "ws://127.0.0.1:8080/socket"`);
  }
  const secure = u.protocol === 'wss:';
  if (!secure && u.protocol !== 'ws:') {
    throw usageError(`ws.connect(${JSON.stringify(url)}): expected a ws:// or wss:// URL such as "ws://127.0.0.1:8080/socket"`);
  }
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port ? Number(u.port) : secure ? 443 : 80;
  const path = `${u.pathname || '/'}${u.search}`;
  t = {
    url,
    secure,
    host,
    port,
    servername: isIP(host) ? undefined : host,
    requestLine: `GET ${path} HTTP/1.1\r\n`,
    hostHeader: u.host,
    basicAuth: u.username || u.password ? `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}` : undefined,
  };
  if (targets.size >= URL_CACHE_MAX) targets.clear();
  targets.set(url, t);
  return t;
}

/** Random bytes for keys and masks, drawn from a pool refilled 4 KB at a time. */
const pool = Buffer.allocUnsafe(4096);
let poolOff = pool.length;
export function randomBytesFromPool(n: number): Buffer {
  if (poolOff + n > pool.length) {
    randomFillSync(pool);
    poolOff = 0;
  }
  const b = pool.subarray(poolOff, poolOff + n);
  poolOff += n;
  return b;
}
/** Four random bytes as one 32-bit number (a frame's masking key). */
export function randomMask(): number {
  if (poolOff + 4 > pool.length) {
    randomFillSync(pool);
    poolOff = 0;
  }
  const m = pool.readUInt32BE(poolOff);
  poolOff += 4;
  return m;
}

export function newKey(): string {
  return randomBytesFromPool(16).toString('base64');
}

/** crypto.hash (Node 20.12+) is the one-shot form, half the cost of createHash(). */
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'base64') => string }).hash;

export function acceptFor(key: string): string {
  return oneShot ? oneShot('sha1', key + GUID, 'base64') : crypto.createHash('sha1').update(key + GUID).digest('base64');
}

const RESERVED = new Set(['host', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions']);

/**
 * The part of the request after the key: version, offered subprotocols, user headers and the
 * empty line. Cached for the common case of no headers and no subprotocols.
 */
export function requestTail(protocols: readonly string[], headers: Record<string, string> | undefined): string {
  if (!protocols.length && !headers) return PLAIN_TAIL;
  let s = 'Sec-WebSocket-Version: 13\r\n';
  if (protocols.length) s += `Sec-WebSocket-Protocol: ${protocols.join(',')}\r\n`;
  if (headers) {
    for (const k in headers) {
      if (RESERVED.has(k.toLowerCase())) continue;
      const v = String(headers[k]);
      if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw usageError(`ws.connect(): header ${JSON.stringify(k)} contains a line break`);
      s += `${k}: ${v}\r\n`;
    }
  }
  return `${s}\r\n`;
}
const PLAIN_TAIL = 'Sec-WebSocket-Version: 13\r\n\r\n';

/** The whole upgrade request for one connection. */
export function upgradeRequest(t: UpgradeTarget, key: string, tail: string, headers: Record<string, string> | undefined): string {
  let host = t.hostHeader;
  let auth = t.basicAuth;
  if (headers) {
    for (const k in headers) {
      const l = k.toLowerCase();
      if (l === 'host') host = String(headers[k]);
      else if (l === 'authorization') auth = undefined; // the user's own header wins
    }
  }
  const authLine = auth ? `Authorization: ${auth}\r\n` : '';
  return `${t.requestLine}Host: ${host}\r\n${authLine}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n${tail}`;
}

/** A failed handshake: `code` is the error_code tag (ws_status_<n>, ws_subprotocol, ws_handshake). */
export class HandshakeError extends ProtocolError {
  constructor(message: string, code: string) {
    super('MCPRUN_WS_CONNECT', message, code, { noStack: true });
    this.name = 'HandshakeError';
  }
}

/**
 * Checks the server's answer (the bytes before the empty line, latin1); returns the chosen
 * subprotocol ('' when none) or throws a HandshakeError.
 */
export function checkUpgradeResponse(head: string, key: string, offered: readonly string[]): string {
  const lineEnd = head.indexOf('\r\n');
  const statusLine = lineEnd < 0 ? head : head.slice(0, lineEnd);
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!m) throw new HandshakeError(`Invalid HTTP status line: ${JSON.stringify(statusLine.slice(0, 80))}`, 'ws_handshake');
  const status = Number(m[1]);
  if (status !== 101) throw new HandshakeError(`Unexpected server response: ${status}`, `ws_status_${status}`);
  let upgrade: string | undefined;
  let accept: string | undefined;
  let protocol: string | undefined;
  let extensions: string | undefined;
  let i = lineEnd < 0 ? head.length : lineEnd + 2;
  while (i < head.length) {
    let e = head.indexOf('\r\n', i);
    if (e < 0) e = head.length;
    const colon = head.indexOf(':', i);
    if (colon > i && colon < e) {
      const name = head.slice(i, colon).trim().toLowerCase();
      const value = head.slice(colon + 1, e).trim();
      if (name === 'upgrade') upgrade = value;
      else if (name === 'sec-websocket-accept') accept = value;
      else if (name === 'sec-websocket-protocol') protocol = value;
      else if (name === 'sec-websocket-extensions') extensions = value;
    }
    i = e + 2;
  }
  if (upgrade === undefined || upgrade.toLowerCase() !== 'websocket') throw new HandshakeError('Invalid Upgrade header', 'ws_handshake');
  if (accept !== acceptFor(key)) throw new HandshakeError('Invalid Sec-WebSocket-Accept header', 'ws_handshake');
  if (protocol !== undefined) {
    if (!offered.length) throw new HandshakeError('Server sent a subprotocol but none was requested', 'ws_subprotocol');
    if (!offered.includes(protocol)) throw new HandshakeError('Server sent an invalid subprotocol', 'ws_subprotocol');
  } else if (offered.length) throw new HandshakeError('Server sent no subprotocol', 'ws_subprotocol');
  if (extensions !== undefined) throw new HandshakeError('Server sent a Sec-WebSocket-Extensions header but no extension was requested', 'ws_handshake');
  return protocol ?? '';
}
