/**
 * The client side of MCP as scenario authors see it: the handlers a scenario gives `mcp.connect()`
 * to answer what the server asks (sampling, elicitation, roots), the canned handlers' options, and
 * the OAuth client-credentials option. Types only (re-exported by dsl/index.ts through types.ts).
 */
/** A content block of a sampling message (text, image, audio). */
export interface SamplingContent {
  type: 'text' | 'image' | 'audio' | (string & {});
  text?: string;
  data?: string;
  mimeType?: string;
  [key: string]: unknown;
}

/** `sampling/createMessage` params (what the server asks the client's model for). */
export interface CreateMessageParams {
  messages: Array<{ role: 'user' | 'assistant' | (string & {}); content: SamplingContent | SamplingContent[] }>;
  systemPrompt?: string;
  maxTokens?: number;
  temperature?: number;
  modelPreferences?: Record<string, unknown>;
  [key: string]: unknown;
}

/** What a sampling handler returns: the model's message. */
export interface CreateMessageResult {
  role: 'assistant' | (string & {});
  content: SamplingContent | SamplingContent[];
  model: string;
  stopReason?: 'endTurn' | 'stopSequence' | 'maxTokens' | (string & {});
  [key: string]: unknown;
}

/** `elicitation/create` params: a form (`requestedSchema`) or, with `mode: 'url'`, a URL to visit. */
export interface ElicitParams {
  mode?: 'form' | 'url' | (string & {});
  message: string;
  requestedSchema?: { type: 'object'; properties: Record<string, Record<string, unknown>>; required?: string[] };
  url?: string;
  [key: string]: unknown;
}

/** What an elicitation handler returns: the user's answer. */
export interface ElicitResult {
  action: 'accept' | 'decline' | 'cancel';
  content?: Record<string, string | number | boolean | string[]>;
  [key: string]: unknown;
}

export interface Root {
  uri: string;
  name?: string;
  [key: string]: unknown;
}

export interface ListRootsResult {
  roots: Root[];
  [key: string]: unknown;
}

/** What a handler is told besides the params. */
export interface ServerRequestContext {
  /** 'sampling/createMessage' | 'elicitation/create' | 'roots/list'. */
  readonly method: string;
  /**
   * 'request': a server-to-client JSON-RPC request (legacy era);
   * 'input_required': an input request embedded in a 2026-07-28 result (MRTR; answered by a retry).
   */
  readonly via: 'request' | 'input_required';
  /** The call this request belongs to, when the server said so (the tool name, prompt or URI), if known. */
  readonly call: { method: string; name: string | undefined } | undefined;
  /** The session the request came on (the McpSession itself, seen through what a handler needs). */
  readonly session: HandlerSession;
}

/** What a handler sees of its session (the full McpSession is the same object). */
export interface HandlerSession {
  readonly transportKind: string;
  readonly era: string;
  readonly sessionId: string | undefined;
  readonly protocolVersion: string;
  readonly serverInfo: Record<string, unknown> | undefined;
}

/** A handler answers with its method's result object, or a promise of it; throwing refuses the request. */
export type ServerRequestHandler<P, R> = (params: P, ctx: ServerRequestContext) => R | Promise<R>;

/**
 * Handlers for what the server asks the client. Giving one declares its capability at
 * `initialize` (and in the modern `_meta` envelope): `sampling: {}`, `elicitation: { form: {} }`,
 * `roots: {}`.
 */
export interface ClientHandlers {
  /** `sampling/createMessage`: return a CreateMessageResult. */
  sampling?: ServerRequestHandler<CreateMessageParams, CreateMessageResult>;
  /** `elicitation/create`: return an ElicitResult (`{ action: 'accept', content }`, `'decline'`, `'cancel'`). */
  elicitation?: ServerRequestHandler<ElicitParams, ElicitResult>;
  /** `roots/list`: return `{ roots }` or just the array of roots. */
  roots?: ServerRequestHandler<Record<string, unknown>, ListRootsResult | Root[]>;
}

/** `mcp.handlers.canned(options)`: fixed answers for load tests. */
export interface CannedHandlerOptions {
  /** The sampling reply's text. @default 'canned sampling reply from mcprun' */
  samplingText?: string;
  /** The sampling reply's `model`. @default 'mcprun-canned' */
  samplingModel?: string;
  /** Simulated model latency before the sampling reply ("200ms", or ms). @default 0 */
  samplingLatency?: string | number;
  /** The elicitation answer. @default 'accept' */
  elicitation?: 'accept' | 'decline' | 'cancel';
  /**
   * Content of an accepted elicitation. @default every property of the requested schema filled
   * with its `default`, or a value of its type ('mcprun', 1, true, the first enum value).
   */
  elicitationContent?: Record<string, string | number | boolean | string[]>;
  /** The roots list. @default [{ uri: 'file:///tmp/mcprun', name: 'mcprun' }] */
  roots?: Root[];
  /** Leave a handler out (its capability is then not declared). */
  without?: Array<'sampling' | 'elicitation' | 'roots'>;
}

/**
 * OAuth 2.1 client credentials: mcprun gets a token from `tokenUrl` (POST
 * `grant_type=client_credentials`), sends it as `Authorization: Bearer …`, caches it per worker
 * (every session of the worker with the same token URL, client and scope shares it) and gets a new
 * one before it expires.
 */
export interface OAuthClientCredentials {
  type: 'client_credentials';
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** RFC 8707 resource indicator (the MCP server's URL). */
  resource?: string;
  /** 'basic' (HTTP Basic, the default) or 'body' (client_id and client_secret in the form). */
  clientAuth?: 'basic' | 'body';
  /** Refresh this long before `expires_in` runs out. @default '30s' (at most half the lifetime) */
  refreshBefore?: string | number;
}
