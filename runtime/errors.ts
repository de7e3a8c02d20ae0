/**
 * The one error family of mcprun and its one table of codes. Every error mcprun raises or reports
 * carries a stable code from ERRORS (`mcprunCode`): tests pin them, the CHANGELOG records changes
 * to them. A row says which exit code the error maps to and, for failures of requests, the tag
 * value they are recorded with: `error_code` for HTTP and WebSocket, `error_kind` for MCP. Rows
 * without a tag take the network's own code (ECONNREFUSED, WS_ERR_*, a JSON-RPC code).
 *
 * - `McprunError` itself: mcprun's own errors (bad option, bad script, worker failure, a DSL
 *   function called with what it cannot take). Its `code` is the stable code.
 * - Protocol errors (`ProtocolError` and its kin WsError, HttpParseError; McpError): members of the
 *   family whose `code` stays what their API documents (the error_code tag, the JSON-RPC code),
 *   as Node's `err.code` is 'ECONNREFUSED'.
 *
 * Messages say what was received, where, and what to write instead; they never start with
 * "mcprun:" (whoever prints one adds that once).
 */
import { EXIT_CODES, type ExitCode } from './exit-codes.js';

interface ErrorRow {
  readonly exit: ExitCode;
  /** The tag value a failure of this kind is recorded with; absent: the failure's own code. */
  readonly tag?: string;
  /**
   * Thrown at the script for what it passed: one that the script lets escape setup() or
   * teardown() is reported as the scenario's own exception, with its location (it crosses from
   * the worker as a plain error, as protocol errors do).
   */
  readonly atScript?: true;
}

const config = { exit: EXIT_CODES.INVALID_CONFIG } as const;
const script = { exit: EXIT_CODES.SCRIPT_ERROR } as const;
const failure = (tag?: string): ErrorRow => (tag === undefined ? script : { exit: EXIT_CODES.SCRIPT_ERROR, tag });

export const ERRORS = {
  MCPRUN_THRESHOLD_SYNTAX: config,
  MCPRUN_THRESHOLD_METRIC: config,
  MCPRUN_THRESHOLD_AGGREGATION: config,
  MCPRUN_CONFIG: config,
  MCPRUN_CLI: config,
  MCPRUN_SUT_PID: config,
  MCPRUN_SUT_METRICS: config,
  MCPRUN_DURATION: config,
  /** A managed target (targets.<name>.command) could not start, or was not ready in time. */
  MCPRUN_TARGET: config,
  MCPRUN_SCRIPT_COMPILE: script,
  /** The scenario, or a file it imports, does not type-check against mcprun's DSL (`mcprun check`, `--typecheck`). */
  MCPRUN_SCRIPT_TYPES: script,
  MCPRUN_SCRIPT_EXCEPTION: script,
  MCPRUN_SCRIPT_EXPORT: script,
  MCPRUN_SCRIPT_NOT_FOUND: script,
  MCPRUN_WORKER: { exit: EXIT_CODES.WORKER_FAILED },
  /** Stopped from outside before the load began (while the scenario's top-level code ran). */
  MCPRUN_STOPPED: { exit: EXIT_CODES.EXTERNAL_ABORT },
  /** An output could not be written at the end (the run itself went to its end). */
  MCPRUN_OUTPUT: { exit: EXIT_CODES.OUTPUT_FAILED },
  MCPRUN_CONTEXT: script,
  MCPRUN_TIMEOUT: script,
  /** The scenario bundle is too large for where it must go (a Kubernetes ConfigMap). */
  MCPRUN_BUNDLE_TOO_LARGE: config,
  /** `mcprun k8s --apply`: kubectl is missing, or the cluster refused the objects or pod 0 cannot start: no load was sent. */
  MCPRUN_KUBECTL: config,
  /** A DSL function called with an argument it cannot take (a URL, a header, a group name, sleep(-1)). */
  MCPRUN_USAGE: { exit: EXIT_CODES.SCRIPT_ERROR, atScript: true },
  MCPRUN_INTERNAL: { exit: EXIT_CODES.INTERNAL },

  // Failures of requests: reported in metrics (and resolved or rejected to the script), tagged.
  /** The connection failed or broke (its code: ECONNRESET, ECONNTIMEOUT, ...). */
  MCPRUN_NETWORK: failure(),
  MCPRUN_HTTP_TIMEOUT: failure('ETIMEDOUT'),
  MCPRUN_HTTP_INTERRUPTED: failure('EABORTED'),
  /** The server's answer is not HTTP/1.x. */
  MCPRUN_HTTP_PROTOCOL: failure('EPROTO'),
  /** The body is larger than options.http.maxResponseSize: not kept, the connection closed. */
  MCPRUN_HTTP_BODY_TOO_LARGE: failure('body_too_large'),
  /** The body's Content-Encoding (gzip, deflate, br) could not be decoded. */
  MCPRUN_HTTP_DECODE: failure('decode_failed'),
  /** ws.connect() failed (the network's code, ws_status_<n>, ws_subprotocol, ETIMEDOUT). */
  MCPRUN_WS_CONNECT: failure(),
  /** The server broke the protocol (WS_ERR_*, ws_handshake), or the socket failed after it opened. */
  MCPRUN_WS_PROTOCOL: failure(),
  MCPRUN_WS_NOT_OPEN: failure('ws_not_open'),
  MCPRUN_WS_CLOSED: failure('ws_closed'),
  MCPRUN_WS_NEXT_TIMEOUT: failure('ws_next_timeout'),
  MCPRUN_WS_PING_TIMEOUT: failure('ws_ping_timeout'),
  /** HTTP 401 from an MCP server (any body), or the OAuth token endpoint gave no token. */
  MCPRUN_MCP_AUTH: failure('auth'),
  /** A 2026-07-28 input request (MRTR) had no handler, or its handler refused. */
  MCPRUN_MCP_HANDLER: failure('handler_error'),
  MCPRUN_MCP_HTTP: failure('http_error'),
  MCPRUN_MCP_JSONRPC: failure('jsonrpc_error'),
  MCPRUN_MCP_TOOL: failure('tool_error'),
  MCPRUN_MCP_TIMEOUT: failure('timeout'),
  MCPRUN_MCP_TRANSPORT: failure('transport_error'),
  MCPRUN_MCP_INTERRUPTED: failure('interrupted'),
} as const satisfies Record<string, ErrorRow>;

export type McprunErrorCode = keyof typeof ERRORS;

const kBrand = Symbol.for('mcprun.error');

export interface McprunErrorOptions {
  /** One more sentence that tells the user what to do, printed after the message. */
  hint?: string;
  exitCode?: ExitCode;
  cause?: unknown;
  /**
   * No stack frames: for failures created in socket event handlers, whose stack never shows the
   * script's line, and which 10^5 failing connections would otherwise each pay ~1 ms to format.
   */
  noStack?: boolean;
}

/**
 * `C`, the type of `code`: the stable code for mcprun's own errors (the default), the protocol's
 * code for protocol errors.
 */
export class McprunError<C extends string | number | undefined = McprunErrorCode> extends Error {
  /** The row of ERRORS this error belongs to. */
  readonly mcprunCode: McprunErrorCode;
  readonly code: C;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  /** On the prototype (below): no field per instance. */
  declare readonly [kBrand]: true;

  constructor(mcprunCode: McprunErrorCode & C, message: string, opts?: McprunErrorOptions);
  constructor(mcprunCode: McprunErrorCode, message: string, opts: McprunErrorOptions, code: C);
  constructor(mcprunCode: McprunErrorCode, message: string, opts: McprunErrorOptions = {}, ...code: [C?]) {
    const limit = Error.stackTraceLimit;
    if (opts.noStack) Error.stackTraceLimit = 0;
    try {
      super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'McprunError';
    this.mcprunCode = mcprunCode;
    this.code = (code.length ? code[0] : mcprunCode) as C;
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? ERRORS[mcprunCode].exit;
  }

  /**
   * mcprun's own errors (whose `code` is the stable code), across duplicated copies of this
   * module (a scenario bundle, a worker), like undici's brand. Protocol errors answer false here
   * and true to family().
   */
  static is(err: unknown): err is McprunError {
    return McprunError.family(err) && err.code === err.mcprunCode;
  }

  /** Any member of the family: mcprun's own errors and protocol errors. */
  static family(err: unknown): err is McprunError<string | number | undefined> {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[kBrand] === true;
  }

  /** The tag value this failure is recorded with: its row's, else its own code; none for mcprun's own errors. */
  get tag(): string | undefined {
    const row: ErrorRow = ERRORS[this.mcprunCode];
    if (row.tag !== undefined) return row.tag;
    return this.code === undefined || this.code === this.mcprunCode ? undefined : String(this.code);
  }

  /** The one-paragraph text shown to users. */
  get userMessage(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }
}

Object.defineProperty(McprunError.prototype, kBrand, { value: true });

/** A failure with a wire-level code (ECONNRESET, EPROTO, ws_closed): `code` is that code, the error_code tag. */
export class ProtocolError extends McprunError<string> {
  constructor(mcprunCode: McprunErrorCode, message: string, code?: string, opts: McprunErrorOptions = {}) {
    super(mcprunCode, message, opts, code ?? (ERRORS[mcprunCode] as ErrorRow).tag ?? mcprunCode);
    this.name = 'ProtocolError';
  }
}

/**
 * A DSL function called with an argument it cannot take (exit 107). The message names the
 * function and the argument and, like JavaScript's own TypeErrors, has no final period: the
 * reporter follows it with the script's location.
 */
export function usageError(message: string, hint?: string): McprunError {
  return new McprunError('MCPRUN_USAGE', message, { hint });
}

/* ---- the error_code tag of any failure ---- */

/** Synonyms folded to the code people search for (Node's own). */
const FOLD: Record<string, string> = {
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_CONNECT_TIMEOUT: 'ECONNTIMEOUT',
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CLOSED: 'ECONNRESET',
  UND_ERR_DESTROYED: 'ECONNRESET',
  UND_ERR_ABORTED: 'EABORTED',
  EAI_AGAIN: 'ENOTFOUND',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'EPROTO',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'EPROTO',
  HPE_INVALID_CONSTANT: 'EPROTO',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'EMSGSIZE',
};

/** Errors that carry no code of their own, by class name: llhttp rejected the bytes (undici leaves `code` unset for some). */
const BY_NAME: Record<string, string> = { HTTPParserError: 'EPROTO' };

/** Codes that only say "the socket failed": the cause below them says how. */
const WRAPPERS = new Set(['UND_ERR_SOCKET']);

/** What the `ws` package says only in words. */
function codeFromMessage(message: unknown): string | undefined {
  if (typeof message !== 'string') return undefined;
  const status = /Unexpected server response: (\d+)/.exec(message);
  if (status) return `ws_status_${status[1]}`;
  if (/handshake has timed out/i.test(message)) return 'ETIMEDOUT';
  if (/subprotocol/i.test(message)) return 'ws_subprotocol';
  return undefined;
}

/**
 * The `error_code` tag of any failure: a family member's tag; else the innermost code that says
 * what happened (undici wraps the socket's error), folded; else what the message says; else
 * undefined (callers that must tag something use UNKNOWN_CODE).
 */
export function errorCodeOf(err: unknown): string | undefined {
  if (McprunError.family(err)) return err.tag;
  let e: unknown = err;
  for (let depth = 0; depth < 3 && e && typeof e === 'object'; depth++) {
    const { code, cause, name, message } = e as { code?: unknown; cause?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && code && !WRAPPERS.has(code)) return FOLD[code] ?? code;
    if (depth === 0 && typeof code !== 'string' && typeof name === 'string' && BY_NAME[name]) return BY_NAME[name];
    if (!cause || typeof cause !== 'object') return typeof code === 'string' && code ? FOLD[code] : codeFromMessage(message);
    e = cause;
  }
  return undefined;
}

export const UNKNOWN_CODE = 'EUNKNOWN';

/* ---- across a thread boundary ---- */

/** What crosses a thread boundary: errors are not structured-clone safe with their class intact. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  hint?: string;
  exitCode?: number;
}

export function serializeError(err: unknown): SerializedError {
  if (McprunError.is(err) && !(ERRORS[err.code] as ErrorRow).atScript) {
    return { name: err.name, message: err.message, stack: err.stack, code: err.code, hint: err.hint, exitCode: err.exitCode };
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, stack: err.stack, code: typeof code === 'string' ? code : undefined };
  }
  return { name: 'Error', message: String(err) };
}

export function deserializeError(s: SerializedError): Error {
  if (s.code && Object.hasOwn(ERRORS, s.code) && !(ERRORS[s.code as McprunErrorCode] as ErrorRow).atScript) {
    const e = new McprunError(s.code as McprunErrorCode, s.message, { hint: s.hint, exitCode: s.exitCode as ExitCode | undefined });
    if (s.stack) e.stack = s.stack;
    return e;
  }
  const e = new Error(s.message);
  e.name = s.name;
  if (s.stack) e.stack = s.stack;
  if (s.code) (e as Error & { code?: string }).code = s.code;
  return e;
}
