/**
 * The public types of MCP workloads that need no hand-written arguments: `mcp.args`, `mcp.mix`,
 * `mcp.replay` (re-exported by dsl/index.ts). Types only: the code is in args.ts, mix.ts, replay.ts.
 */
import type { CallToolResult, ConnectOptions, Tool } from './types.js';

export interface ArgsOptions {
  /** Base seed. @default 0 */
  seed?: number;
  /** 'iteration' (default): the seed also mixes in the VU id and iteration; 'vu': the VU id only; 'none': neither. */
  vary?: 'iteration' | 'vu' | 'none';
  /** Field values that replace generated ones (plain objects are merged field by field); the result is still validated. */
  overrides?: Record<string, unknown>;
}

export interface MixOptions {
  /** Relative weight per tool name; `'*'` is the weight of every tool not named (default 1; `'*': 0` calls only the named ones). */
  weights?: Record<string, number>;
  /** Tool names never to call. */
  exclude?: string[];
  /** Only tools annotated `readOnlyHint: true`. */
  readOnlyOnly?: boolean;
  /** Leave out tools annotated `destructiveHint: true` (the spec's default for tools without annotations is destructive; only an explicit hint counts here). */
  excludeDestructive?: boolean;
  /** Arguments per tool (an object, or a function of the VU's iteration); tools not listed get `mcp.args()`. */
  args?: Record<string, Record<string, unknown> | ((tool: Tool) => Record<string, unknown> | Promise<Record<string, unknown>>)>;
  /** Options of the generated arguments (seed, vary). */
  argsOptions?: Omit<ArgsOptions, 'overrides'>;
  /** Seed of the weighted pick (mixed with the VU id and iteration, as `mcp.args`). @default 0 */
  seed?: number;
}

/** What one `mcp.mix(...)` call did. */
export interface MixCall {
  tool: string;
  args: Record<string, unknown>;
  result: CallToolResult;
}

export interface ReplayOptions {
  /** Time scale: 2 replays twice as fast as recorded; 0 sends each request as soon as the last answered. @default 1 */
  speed?: number;
  /** Per-request changes before sending: `(method, params) => params`. */
  vary?: (method: string, params: Record<string, unknown> | undefined) => Record<string, unknown> | undefined;
  /** Where to replay to. @default the recording's upstream */
  target?: string;
  /** Options of the replayed session (headers, timeout). */
  connect?: ConnectOptions;
  /**
   * What makes an answer a divergence besides another error: 'shape', another structure (keys,
   * types, array lengths), so ids, times and generated text may differ; 'values', any difference
   * but in `_meta`. @default 'shape'
   */
  compare?: 'shape' | 'values';
}

/** What a replay found. */
export interface ReplayReport {
  /** Requests sent, in order. */
  methods: string[];
  /** Responses that differ from the recording in shape or error. */
  divergences: Array<{ index: number; method: string; expected: string; actual: string }>;
}
