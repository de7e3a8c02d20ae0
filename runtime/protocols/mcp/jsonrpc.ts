/**
 * JSON-RPC 2.0 framing for MCP: request/notification encoding (strings built directly, the hot
 * path stringifies only the params), message classification, and the error codes MCP uses.
 */
import type { JsonRpcErrorObject, JsonRpcId, JsonRpcMessage } from './types.js';

export const JSONRPC_ERRORS = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** 2026-07-28: headers and body disagree (e.g. Mcp-Name missing). */
  HEADER_MISMATCH: -32020,
  /** 2026-07-28: the request needs a client capability that was not declared. */
  MISSING_REQUIRED_CLIENT_CAPABILITY: -32021,
  /** 2026-07-28: protocol version not supported; `data.supported` lists what is. */
  UNSUPPORTED_PROTOCOL_VERSION: -32022,
} as const;

/** Errors only a modern (2026-07-28) server sends: seeing one means the target is modern. */
export const MODERN_ERROR_CODES: ReadonlySet<number> = new Set([
  JSONRPC_ERRORS.HEADER_MISMATCH,
  JSONRPC_ERRORS.MISSING_REQUIRED_CLIENT_CAPABILITY,
  JSONRPC_ERRORS.UNSUPPORTED_PROTOCOL_VERSION,
]);

export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
export const META_CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';

/**
 * The params of a request as JSON, with `_meta` entries merged in front: a progress token and,
 * for modern requests, the pre-serialised envelope (`"k":v,...` without braces). Only the user's
 * params are stringified per call.
 */
export function paramsJson(params: Record<string, unknown> | undefined, progressToken: JsonRpcId | undefined, envelope: string): string {
  if (progressToken === undefined && !envelope) return params === undefined ? '' : JSON.stringify(params);
  let userMeta = '';
  let rest: Record<string, unknown> | undefined = params;
  if (params && params._meta !== undefined) {
    const { _meta, ...others } = params;
    rest = others;
    if (_meta && typeof _meta === 'object') {
      const m = JSON.stringify(_meta);
      if (m.length > 2) userMeta = m.slice(1, -1);
    }
  }
  let meta = progressToken === undefined ? '' : `"progressToken":${JSON.stringify(progressToken)}`;
  if (userMeta) meta = meta ? `${meta},${userMeta}` : userMeta;
  if (envelope) meta = meta ? `${meta},${envelope}` : envelope;
  const restJson = rest === undefined ? '{}' : JSON.stringify(rest);
  return restJson.length <= 2 ? `{"_meta":{${meta}}}` : `{"_meta":{${meta}},${restJson.slice(1)}`;
}

export function encodeRequest(id: number, method: string, params: string): string {
  return params ? `{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)},"params":${params}}` : `{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)}}`;
}

export function encodeNotification(method: string, params?: Record<string, unknown>): string {
  return params === undefined ? `{"jsonrpc":"2.0","method":${JSON.stringify(method)}}` : `{"jsonrpc":"2.0","method":${JSON.stringify(method)},"params":${JSON.stringify(params)}}`;
}

export function encodeResult(id: JsonRpcId, result: unknown): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${JSON.stringify(result)}}`;
}

export function encodeError(id: JsonRpcId, code: number, message: string): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":{"code":${code},"message":${JSON.stringify(message)}}}`;
}

/** The pending-map key of a response id: mcprun sends numbers; a server may echo them as strings. */
export function idKey(id: JsonRpcId | null | undefined): number {
  if (typeof id === 'number') return id;
  if (typeof id === 'string' && id !== '') {
    const n = Number(id);
    if (Number.isInteger(n)) return n;
  }
  return -1;
}

/** A JSON-RPC error object, if `v` is one (used on HTTP error bodies). */
export function asJsonRpcError(v: unknown): { id: JsonRpcId | null | undefined; error: JsonRpcErrorObject } | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const m = v as JsonRpcMessage;
  if (!m.error || typeof m.error !== 'object' || typeof m.error.code !== 'number') return undefined;
  return { id: m.id, error: { code: m.error.code, message: String(m.error.message ?? ''), data: m.error.data } };
}
