/**
 * Built-in metric names. They follow k6 so dashboards and habits carry over (DESIGN §4).
 * Protocol modules add their own lists here so the threshold validator knows every name before
 * any load is sent.
 */
import { MCP_METRICS } from '../protocols/mcp/metrics.js';
import { GENERATOR_METRICS } from './generator-health.js';
import type { MetricDefinition } from './types.js';

const c = (name: string, contains: MetricDefinition['contains'] = 'default'): MetricDefinition => ({ name, type: 'counter', contains });
const g = (name: string, contains: MetricDefinition['contains'] = 'default'): MetricDefinition => ({ name, type: 'gauge', contains });
const r = (name: string): MetricDefinition => ({ name, type: 'rate', contains: 'default' });
const t = (name: string, contains: MetricDefinition['contains'] = 'time'): MetricDefinition => ({ name, type: 'trend', contains });

export const STANDARD_METRICS: MetricDefinition[] = [
  g('vus'),
  g('vus_max'),
  c('iterations'),
  t('iteration_duration'),
  c('dropped_iterations'),
  c('interrupted_iterations'),
  c('iteration_errors'),
  t('iteration_lag'),
  c('data_sent', 'data'),
  c('data_received', 'data'),
  r('checks'),
  t('group_duration'),
];

export const HTTP_METRICS: MetricDefinition[] = [
  c('http_reqs'),
  r('http_req_failed'),
  t('http_req_duration'),
  t('http_req_blocked'),
  t('http_req_connecting'),
  t('http_req_tls_handshaking'),
  t('http_req_sending'),
  t('http_req_waiting'),
  t('http_req_receiving'),
];

export const WS_METRICS: MetricDefinition[] = [
  c('ws_sessions'),
  t('ws_connecting'),
  t('ws_session_duration'),
  c('ws_msgs_sent'),
  c('ws_msgs_received'),
  t('ws_ping'),
  c('ws_errors'),
];

/** Every protocol's connections (runtime/metrics/connections.ts), tagged `proto`. */
export const CONNECTION_METRICS: MetricDefinition[] = [g('connections_active'), c('connections_opened'), c('connections_failed')];

/** The workers' own memory per allocated VU, measured after a GC once the VU count settles. */
export const MEMORY_METRICS: MetricDefinition[] = [g('mcprun_heap_per_vu', 'data'), g('mcprun_rss_per_vu', 'data')];

export const BUILTIN_METRICS: MetricDefinition[] = [...STANDARD_METRICS, ...HTTP_METRICS, ...WS_METRICS, ...MCP_METRICS, ...CONNECTION_METRICS, ...MEMORY_METRICS, ...GENERATOR_METRICS];

/**
 * Gauges whose value across workers is the sum of each worker's latest value (VUs, open
 * connections). Other gauges (user gauges) take the most recent value from any worker.
 */
export const ADDITIVE_GAUGES = new Set(['vus', 'vus_max', 'connections_active', 'mcp_sessions_active']);
