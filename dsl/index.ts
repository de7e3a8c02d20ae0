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
  SharedIterationsScenario,
  PerVuIterationsScenario,
  ConstantVusScenario,
  RampingVusScenario,
  ConstantArrivalRateScenario,
  RampingArrivalRateScenario,
} from './options.js';
export type { ThresholdExpression, ThresholdDefinition, ThresholdFor, ThresholdDefinitionOf, MetricKind, BuiltinMetricOf, CheckedThresholds } from './threshold-types.js';
export { http } from './http.js';
export type { HttpResponse, Timings, ResponseType, RequestBody, RequestParams, BatchRequest } from '../runtime/protocols/http/types.js';
export { ws, WsError } from './ws.js';
export type { WebSocketSession, WsConnectParams, WsMessage, WsData, WaitParams, WsEvent } from '../runtime/protocols/ws/types.js';
export { check } from './check.js';
export type { Checkers } from './check.js';
export { group } from './group.js';
export { sleep } from './sleep.js';
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
  /**
   * The environment as k6 spells it: `-e KEY=VALUE` values over the process environment (the same
   * object as `process.env` inside a worker). A key may be absent: read it with a default,
   * `__ENV.TARGET ?? 'http://127.0.0.1:8080'`.
   */
  // eslint-disable-next-line no-var
  var __ENV: Record<string, string | undefined>;
}
