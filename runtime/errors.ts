/**
 * The one error class of mcprun. Every failure a user can cause carries a stable `code`, a message
 * that says what was received, where, and what to write instead, and the exit code it maps to.
 * Codes are part of the contract: tests pin them, the CHANGELOG records changes to them.
 */
import { EXIT_CODES, type ExitCode } from './exit-codes.js';

export type McprunErrorCode =
  | 'MCPRUN_THRESHOLD_SYNTAX'
  | 'MCPRUN_THRESHOLD_METRIC'
  | 'MCPRUN_THRESHOLD_AGGREGATION'
  | 'MCPRUN_CONFIG'
  | 'MCPRUN_CLI'
  | 'MCPRUN_DURATION'
  | 'MCPRUN_SCRIPT_COMPILE'
  | 'MCPRUN_SCRIPT_EXCEPTION'
  | 'MCPRUN_SCRIPT_EXPORT'
  | 'MCPRUN_SCRIPT_NOT_FOUND'
  | 'MCPRUN_WORKER'
  | 'MCPRUN_CONTEXT'
  | 'MCPRUN_TIMEOUT'
  | 'MCPRUN_BUNDLE_TOO_LARGE'
  | 'MCPRUN_INTERNAL';

const DEFAULT_EXIT: Record<McprunErrorCode, ExitCode> = {
  MCPRUN_THRESHOLD_SYNTAX: EXIT_CODES.INVALID_CONFIG,
  MCPRUN_THRESHOLD_METRIC: EXIT_CODES.INVALID_CONFIG,
  MCPRUN_THRESHOLD_AGGREGATION: EXIT_CODES.INVALID_CONFIG,
  MCPRUN_CONFIG: EXIT_CODES.INVALID_CONFIG,
  MCPRUN_CLI: EXIT_CODES.INVALID_CONFIG,
  MCPRUN_DURATION: EXIT_CODES.INVALID_CONFIG,
  MCPRUN_SCRIPT_COMPILE: EXIT_CODES.SCRIPT_ERROR,
  MCPRUN_SCRIPT_EXCEPTION: EXIT_CODES.SCRIPT_ERROR,
  MCPRUN_SCRIPT_EXPORT: EXIT_CODES.SCRIPT_ERROR,
  MCPRUN_SCRIPT_NOT_FOUND: EXIT_CODES.SCRIPT_ERROR,
  MCPRUN_WORKER: EXIT_CODES.WORKER_FAILED,
  MCPRUN_CONTEXT: EXIT_CODES.SCRIPT_ERROR,
  MCPRUN_TIMEOUT: EXIT_CODES.SCRIPT_ERROR,
  MCPRUN_BUNDLE_TOO_LARGE: EXIT_CODES.INVALID_CONFIG,
  MCPRUN_INTERNAL: EXIT_CODES.INTERNAL,
};

const kBrand = Symbol.for('mcprun.error');

export class McprunError extends Error {
  readonly code: McprunErrorCode;
  readonly exitCode: ExitCode;
  /** One more sentence that tells the user what to do, printed after the message. */
  readonly hint: string | undefined;
  readonly [kBrand] = true;

  constructor(code: McprunErrorCode, message: string, opts: { hint?: string; exitCode?: ExitCode; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'McprunError';
    this.code = code;
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? DEFAULT_EXIT[code];
  }

  /** Works across duplicated copies of the module (a scenario bundle, a worker), like undici's brand. */
  static is(err: unknown): err is McprunError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[kBrand] === true;
  }

  /** The one-paragraph text shown to users. */
  get userMessage(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }
}

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
  if (McprunError.is(err)) {
    return { name: err.name, message: err.message, stack: err.stack, code: err.code, hint: err.hint, exitCode: err.exitCode };
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, stack: err.stack, code: typeof code === 'string' ? code : undefined };
  }
  return { name: 'Error', message: String(err) };
}

export function deserializeError(s: SerializedError): Error {
  if (s.code && s.code.startsWith('MCPRUN_')) {
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
