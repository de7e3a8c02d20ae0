/**
 * The one catalogue of built-in metrics. Names follow k6 so dashboards and habits carry over
 * (DESIGN §4); every protocol's metrics are listed here, so the threshold validator knows every
 * name before any load is sent. Code records them by typed name (`METRIC.http_reqs`): a typo is a
 * type error, not a series nobody reads.
 */
import type { MetricDefinition, MetricType, ValueKind } from './types.js';

interface CatalogueEntry {
  readonly type: MetricType;
  readonly contains: ValueKind;
  /** Gauges whose value across workers is the sum of each worker's latest value (VUs, open connections). */
  readonly additive?: true;
}

const counter = { type: 'counter', contains: 'default' } as const;
const bytes = { type: 'counter', contains: 'data' } as const;
const gauge = { type: 'gauge', contains: 'default' } as const;
const summed = { type: 'gauge', contains: 'default', additive: true } as const;
const rate = { type: 'rate', contains: 'default' } as const;
const time = { type: 'trend', contains: 'time' } as const;

export const METRICS = {
  // Every scenario.
  vus: summed,
  vus_max: summed,
  iterations: counter,
  iteration_duration: time,
  dropped_iterations: counter,
  interrupted_iterations: counter,
  iteration_errors: counter,
  iteration_lag: time,
  data_sent: bytes,
  data_received: bytes,
  checks: rate,
  group_duration: time,

  // http.* (protocols/http).
  http_reqs: counter,
  http_req_failed: rate,
  http_req_duration: time,
  http_req_blocked: time,
  http_req_connecting: time,
  http_req_tls_handshaking: time,
  http_req_sending: time,
  http_req_waiting: time,
  http_req_receiving: time,

  // ws.* (protocols/ws).
  ws_sessions: counter,
  ws_connecting: time,
  ws_session_duration: time,
  ws_msgs_sent: counter,
  ws_msgs_received: counter,
  ws_ping: time,
  ws_errors: counter,

  // mcp.* (protocols/mcp).
  /** Sessions opened (handshake done, or a modern session ready). */
  mcp_sessions: counter,
  /** Transport open + `initialize` round trip + `notifications/initialized` (legacy era only). */
  mcp_session_init_duration: time,
  /** From connect() to close(). */
  mcp_session_duration: time,
  /** Requests answered (or failed), initialize included; notifications are not requests. */
  mcp_reqs: counter,
  /** From the moment the script asked to the matching response (end to end). */
  mcp_req_duration: time,
  /** To the first byte of the response (HTTP headers; first related message on a stream). */
  mcp_req_ttfb: time,
  /** HTTP error, JSON-RPC error, isError result, timeout or transport failure (tag error_kind). */
  mcp_req_failed: rate,
  /** `notifications/progress` received for a request. */
  mcp_progress_events: counter,
  /** Sessions open now (summed over workers). */
  mcp_sessions_active: summed,
  /** A server answered 404 to a session (expired): the session was initialized again. */
  mcp_session_reinit: counter,
  /** Each tool, resource and prompt a tools/list, resources/list or prompts/list returned (tags kind, name): the catalogue coverage is judged against. */
  mcp_catalogue: counter,
  /** mcp.replay: a response whose shape or error differs from the recording's (tag method). */
  mcp_replay_divergence: counter,
  /** Requests the server sent the client (sampling, elicitation, roots, ping; MRTR input requests), tags `method`, `via`, `outcome`. */
  mcp_server_requests: counter,
  /** Time the scenario's handler took to answer a server request. */
  mcp_server_request_duration: time,
  /** Notifications received that were not progress for a pending call, tags `method`, `stream`. */
  mcp_notifications: counter,
  /** 2026-07-28 `input_required` rounds answered and retried (a call that needed two retries adds 2). */
  mcp_mrtr_rounds: counter,
  /** From the moment the script asked to the first `notifications/progress` of the call. */
  mcp_req_first_progress: time,
  /** A task-augmented call (tasks/get polling): from the request to its result. */
  mcp_task_duration: time,

  // Every protocol's connections (connections.ts), tagged `proto`.
  connections_active: summed,
  connections_opened: counter,
  connections_failed: counter,

  // Faults (options.faults, runtime/faults): one recovery_time sample per fault occurrence (tags
  // fault, kind, target), and 1 while a fault is on, 0 once it is off (tag fault).
  recovery_time: time,
  fault_active: gauge,

  // The workers' own memory per allocated VU, measured after a GC once the VU count settles (memory-per-vu.ts).
  mcprun_heap_per_vu: { type: 'gauge', contains: 'data' },
  mcprun_rss_per_vu: { type: 'gauge', contains: 'data' },

  // The load generator's own event loop (generator-health.ts).
  mcprun_event_loop_delay: time,
  mcprun_event_loop_utilization: { type: 'trend', contains: 'default' },
} as const satisfies Record<string, CatalogueEntry>;

export type BuiltinMetric = keyof typeof METRICS;

/** Every built-in name as a typed value: `METRIC.http_reqs` is the string 'http_reqs'. */
export const METRIC = Object.freeze(Object.fromEntries(Object.keys(METRICS).map((name) => [name, name]))) as { readonly [K in BuiltinMetric]: K };

/** The catalogue as registry definitions, in catalogue order. */
export const BUILTIN_METRICS: MetricDefinition[] = Object.entries(METRICS).map(([name, e]) => ({ name, type: e.type, contains: e.contains }));

/**
 * Gauges whose value across workers is the sum of each worker's latest value (VUs, open
 * connections). Other gauges (user gauges) take the most recent value from any worker.
 */
export const ADDITIVE_GAUGES: ReadonlySet<string> = new Set(Object.entries(METRICS).flatMap(([name, e]: [string, CatalogueEntry]) => (e.additive ? [name] : [])));
