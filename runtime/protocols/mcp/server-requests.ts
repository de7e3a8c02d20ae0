/**
 * What the server asks the client, answered with the scenario's handlers: the capabilities the
 * handlers declare, the answer to a server-to-client JSON-RPC request (legacy era: sampling,
 * elicitation, roots, ping), and the answers to the input requests embedded in a 2026-07-28
 * `input_required` result (MRTR). Each answered request is one `mcp_server_requests` sample
 * (tags `method`, `via`, `outcome`) and one `mcp_server_request_duration` sample (handler time).
 *
 * Kept apart from session.ts so that the session only forwards: which handler, how its result is
 * shaped, and how a refusal is encoded are decided here.
 */
import { performance } from 'node:perf_hooks';
import { METRIC } from '../../metrics/builtin.js';
import type { Tags } from '../../metrics/types.js';
import type { VuScope } from '../vu-contract.js';
import { McpError } from './errors.js';
import type { ClientHandlers, HandlerSession, ServerRequestContext } from './handler-types.js';
import { JSONRPC_ERRORS } from './jsonrpc.js';

/** Which handler answers which method. */
const HANDLER_OF: Readonly<Record<string, keyof ClientHandlers>> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/** The capability each handler declares. */
const CAPABILITY_OF: Readonly<Record<keyof ClientHandlers, Record<string, unknown>>> = {
  sampling: {},
  elicitation: { form: {} },
  roots: {},
};

/** The capabilities to declare: the user's, plus one per handler the user did not declare himself. */
export function capabilitiesWith(declared: Record<string, unknown> | undefined, handlers: ClientHandlers | undefined): Record<string, unknown> {
  const caps: Record<string, unknown> = { ...declared };
  if (handlers) {
    for (const k of Object.keys(CAPABILITY_OF) as Array<keyof ClientHandlers>) {
      if (typeof handlers[k] === 'function' && caps[k] === undefined) caps[k] = CAPABILITY_OF[k];
    }
  }
  return caps;
}

export type Answer = { result: Record<string, unknown> } | { error: { code: number; message: string } };

/** Outcome tag: the handler answered, refused (threw), or there was none for the method. */
type Outcome = 'answered' | 'refused' | 'unhandled';

/** What the session lends the dispatcher. */
export interface RequestSite {
  readonly ctx: VuScope;
  readonly session: HandlerSession;
  /** Tags of the session's samples (VU tags, transport, era, user tags). */
  tags(): Tags;
}

function record(site: RequestSite, method: string, via: ServerRequestContext['via'], outcome: Outcome, ms: number): void {
  const tags = { ...site.tags(), method, via, outcome };
  site.ctx.store.addAll(tags, [
    [METRIC.mcp_server_requests, 1],
    [METRIC.mcp_server_request_duration, ms],
  ]);
}

function shape(method: string, v: unknown): Record<string, unknown> {
  if (method === 'roots/list' && Array.isArray(v)) return { roots: v };
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`the ${HANDLER_OF[method]} handler returned ${v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 80)}; return the ${method} result object`);
  return v as Record<string, unknown>;
}

function messageOf(err: unknown): string {
  return typeof (err as { message?: unknown })?.message === 'string' ? (err as Error).message : String(err);
}

/**
 * Runs the handler for `method`. Resolves with its (shaped) result, or an error: -32601 when there
 * is no handler, the thrown error's integer `code` (else -32603) when it refused.
 */
async function run(site: RequestSite, handlers: ClientHandlers | undefined, method: string, params: Record<string, unknown> | undefined, ctx: ServerRequestContext): Promise<Answer & { outcome: Outcome }> {
  const key = HANDLER_OF[method];
  const fn = key ? handlers?.[key] : undefined;
  if (!fn) {
    if (method === 'ping') return { result: {}, outcome: 'answered' };
    return { error: { code: JSONRPC_ERRORS.METHOD_NOT_FOUND, message: key ? `the scenario gave no ${key} handler for ${method}` : `mcprun does not handle ${method}` }, outcome: 'unhandled' };
  }
  try {
    const v = await (fn as (p: unknown, c: ServerRequestContext) => unknown)(params ?? {}, ctx);
    return { result: shape(method, v), outcome: 'answered' };
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    return { error: { code: Number.isInteger(code) ? (code as number) : JSONRPC_ERRORS.INTERNAL_ERROR, message: messageOf(err) }, outcome: 'refused' };
  }
}

/** A server-to-client request (legacy era, every transport): the answer to send back. */
export async function answerServerRequest(
  site: RequestSite,
  handlers: ClientHandlers | undefined,
  method: string,
  params: Record<string, unknown> | undefined,
  call: ServerRequestContext['call'],
): Promise<Answer> {
  const t0 = performance.now();
  const a = await run(site, handlers, method, params, { method, via: 'request', call, session: site.session });
  record(site, method, 'request', a.outcome, performance.now() - t0);
  return 'error' in a ? { error: a.error } : { result: a.result };
}

/** One entry of a 2026-07-28 `inputRequests` map. */
interface InputRequest {
  method?: unknown;
  params?: unknown;
}

/**
 * The input requests of an `input_required` result, answered: the `inputResponses` map for the
 * retry, or the McpError (kind `handler_error`) that ends the call when a handler refused, is
 * missing, or the request is malformed.
 */
export async function fulfilInputRequests(
  site: RequestSite,
  handlers: ClientHandlers | undefined,
  requests: unknown,
  call: ServerRequestContext['call'],
): Promise<{ responses: Record<string, unknown> } | { error: McpError }> {
  const responses: Record<string, unknown> = {};
  if (requests === undefined || requests === null) return { responses };
  if (typeof requests !== 'object' || Array.isArray(requests)) return { error: new McpError('handler_error', 'the input_required result carries an inputRequests that is not an object') };
  for (const [key, r] of Object.entries(requests as Record<string, InputRequest>)) {
    const method = typeof r?.method === 'string' ? r.method : '';
    const t0 = performance.now();
    const a = await run(site, handlers, method, r?.params as Record<string, unknown> | undefined, { method, via: 'input_required', call, session: site.session });
    record(site, method || '(none)', 'input_required', a.outcome, performance.now() - t0);
    if ('error' in a) return { error: new McpError('handler_error', `input request ${JSON.stringify(key)} (${method || 'no method'}) was not answered: ${a.error.message}`, a.error.code) };
    responses[key] = a.result;
  }
  return { responses };
}
