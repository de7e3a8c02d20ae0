/**
 * What scenario files import: `import { defineScenario, http, check } from 'mcprun'`.
 * Importing it has no side effects; the functions find their VU when called inside one.
 */
export { defineScenario } from './options.js';
export { defineDefault, defineTeardown } from './lifecycle.js';
export type { SetupData, IterationFunction } from './lifecycle.js';
export type {
  Options,
  KnownOptionKeys,
  CheckedOptions,
  Scenario,
  ExecutorName,
  Stage,
  Duration,
  Thresholds,
  HttpOptions,
  SutOptions,
  SutSeries,
  TargetOptions,
  FaultOptions,
  FaultKind,
  SharedIterationsScenario,
  PerVuIterationsScenario,
  ConstantVusScenario,
  RampingVusScenario,
  ConstantArrivalRateScenario,
  RampingArrivalRateScenario,
  CapacitySearchScenario,
} from './options.js';
export type { ThresholdExpression, ThresholdDefinition, ThresholdFor, ThresholdDefinitionOf, MetricKind, BuiltinMetricOf, CheckedThresholds } from './threshold-types.js';
export { http } from './http.js';
export type { HttpResponse, Timings, ResponseType, RequestBody, RequestParams, BatchRequest, CookieJar, CookieOptions, HttpCookie, RequestCookies, ExpectedStatuses } from '../runtime/protocols/http/types.js';
export { ws, WsError } from './ws.js';
export type { WebSocketSession, WsConnectParams, WsMessage, WsData, WaitParams, WsEvent } from '../runtime/protocols/ws/types.js';
export { open, sharedData, parseCsv } from '../runtime/worker/data-files.js';
export type { CsvOptions } from '../runtime/worker/data-files.js';
export { check } from './check.js';
export type { Checkers } from './check.js';
export { group } from './group.js';
export { sleep } from './sleep.js';
export { target } from './target.js';
export { Counter, Gauge, Rate, Trend } from './metrics.js';
export type { VuInfo as VU } from '../runtime/worker/types.js';
export { mcp } from './mcp.js';
export type { McpError, McpErrorKind } from '../runtime/protocols/mcp/errors.js';
export type {
  McpSession,
  ConnectOptions as McpConnectOptions,
  CallOptions as McpCallOptions,
  McpTarget,
  McpTransportName,
  StdioTarget as McpStdioTarget,
  ProgressParams as McpProgress,
  CallToolResult,
  ContentBlock,
  GetPromptResult,
  ListPromptsResult,
  ListResourcesResult,
  ListToolsResult,
  McpResult,
  Prompt,
  ReadResourceResult,
  Resource,
  Tool,
  ToolList,
  JsonRpcMessage,
} from '../runtime/protocols/mcp/types.js';
export type {
  ArgsOptions as McpArgsOptions,
  MixOptions as McpMixOptions,
  MixCall as McpMixCall,
  ReplayOptions as McpReplayOptions,
  ReplayReport as McpReplayReport,
} from '../runtime/protocols/mcp/workload-types.js';
export type {
  ClientHandlers as McpClientHandlers,
  CannedHandlerOptions as McpCannedHandlerOptions,
  CreateMessageParams,
  CreateMessageResult,
  ElicitParams,
  ElicitResult,
  ListRootsResult,
  Root as McpRoot,
  ServerRequestContext as McpServerRequestContext,
  OAuthClientCredentials as McpOAuthClientCredentials,
} from '../runtime/protocols/mcp/handler-types.js';
export { textSummary } from '../runtime/output/text-summary.js';
export type { SummaryData } from '../runtime/output/summary-data.js';

declare global {
  /** The environment of the running VU: -e values over its scenario's `env` over the process environment (k6's `__ENV`). */
  // eslint-disable-next-line no-var
  var __ENV: Record<string, string | undefined>;
  /** The running VU's id, from 1 (0 in init code, setup and teardown), as k6's `__VU`. */
  const __VU: number;
  /** The running VU's iteration in its scenario, from 0, as k6's `__ITER`. */
  const __ITER: number;
  /** k6's open(): a file's text, or with 'b' its bytes; relative paths start from the scenario file's folder. */
  function open(path: string): string;
  function open(path: string, mode: 'b'): ArrayBuffer;
}
