/** Pieces the HTTP transports share: user headers, header value encoding, error bodies. */
import { McpError } from '../errors.js';
import { asJsonRpcError } from '../jsonrpc.js';
import type { JsonRpcMessage } from '../types.js';
import { VERSION } from '../../../version.js';

export const USER_AGENT = `mcprun/${VERSION}`;

/** Headers that are set by the transport and must not come from `options.headers`. */
const RESERVED = new Set(['content-type', 'accept', 'mcp-session-id', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'content-length', 'host']);
// `host` is taken from options.headers by the transport itself (it replaces the URL's), never sent twice.

/** User headers as a flat [name, value, ...] list, lower-cased, reserved names dropped. */
export function userHeaderList(headers: Record<string, string> | undefined): string[] {
  const out: string[] = [];
  if (!headers) return out;
  for (const k in headers) {
    const name = k.toLowerCase();
    if (RESERVED.has(name) || headers[k] === undefined) continue;
    out.push(name, String(headers[k]));
  }
  return out;
}

/**
 * An `Mcp-Name` / `Mcp-Param-*` value: safe visible ASCII as is, anything else as the spec's
 * `=?base64?<utf-8 base64>?=` sentinel.
 */
export function encodeHeaderValue(v: string): string {
  let safe = v.length > 0 && v.charCodeAt(0) !== 32 && v.charCodeAt(v.length - 1) !== 32;
  for (let i = 0; safe && i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) safe = false;
  }
  if (safe && !(v.startsWith('=?base64?') && v.endsWith('?='))) return v;
  return `=?base64?${Buffer.from(v, 'utf8').toString('base64')}?=`;
}

export function tryParse(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The error of a non-2xx response: a JSON-RPC error if the body is one, else the HTTP status.
 * A 401 is `auth` whatever its body (servers answer it as JSON-RPC -32001, as text or empty), so
 * one `error_kind:auth` catches every authentication failure.
 */
export function errorOfStatus(status: number, statusText: string, body: string): { error: McpError; message: JsonRpcMessage | undefined } {
  const parsed = asJsonRpcError(tryParse(body));
  if (status === 401) {
    const what = parsed ? `JSON-RPC error ${parsed.error.code}: ${parsed.error.message}` : body.replace(/\s+/g, ' ').trim().slice(0, 200);
    return { error: new McpError('auth', `HTTP 401${statusText ? ` ${statusText}` : ''}${what ? `: ${what}` : ''} (check the Authorization header or the OAuth options)`, undefined, 401, parsed?.error), message: undefined };
  }
  if (parsed) {
    return {
      error: new McpError('jsonrpc_error', `JSON-RPC error ${parsed.error.code}: ${parsed.error.message} (HTTP ${status})`, parsed.error.code, status, parsed.error.data),
      message: { jsonrpc: '2.0', id: parsed.id, error: parsed.error },
    };
  }
  const snippet = body.length > 200 ? `${body.slice(0, 200)}…` : body;
  return { error: new McpError('http_error', `HTTP ${status}${statusText ? ` ${statusText}` : ''}${snippet ? `: ${snippet.replace(/\s+/g, ' ').trim()}` : ''}`, undefined, status), message: undefined };
}
