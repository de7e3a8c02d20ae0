/**
 * The one message protocol between the coordinator (main thread) and its workers: both sides
 * import this file. The worker handles every CoordinatorMessage in one switch that fails to
 * compile when a type is added and not handled (worker/worker-loop.ts). Functions never cross:
 * each worker imports the scenario bundle itself; errors cross serialized. Imports only types,
 * from below: executors/, protocols/, metrics/ and the leaves.
 */
import type { SerializedError } from './errors.js';
import type { MetricDefinition } from './metrics/types.js';
import type { MetricSnapshot } from './metrics/worker-store.js';
import type { ResolvedScenario } from './executors/resolved.js';
import type { HttpConfig } from './protocols/http/types.js';
import type { LocalIpRange } from './protocols/local-ips.js';

/** Everything a worker needs, structured-clone safe (no functions). */
export interface WorkerPlan {
  workerIndex: number;
  workerCount: number;
  /** Absolute path of the bundled scenario (ESM). */
  bundlePath: string;
  scenarios: ResolvedScenario[];
  http: HttpConfig;
  /** -e values over the process environment: becomes `process.env` and `__ENV` in the worker. */
  env: Record<string, string>;
  flushIntervalMs: number;
  /** `--pool`: how this worker runs (threads share one process: its RSS and open-file limit). @default 'threads' */
  pool?: 'threads' | 'processes';
  /** `--local-ips`, compact: source addresses spread round-robin over new connections. */
  localIps?: LocalIpRange[];
}

/** What a scenario's top-level code left behind, read in a worker so it never runs in the coordinator. */
export interface ScriptFacts {
  /** `options`, copied as plain data (functions and promises refused while copying). */
  options: unknown;
  /** Each export's kind: 'function', or what it is instead ('an object', 'a string', 'null'...). */
  exports: Record<string, string>;
  /** Metrics the top-level code defined (custom Trend/Counter/Rate/Gauge). */
  metrics: MetricDefinition[];
}

export type CoordinatorMessage =
  /** Import the bundle with `env` and answer `script-read` (or `fatal`, phase 'init'). */
  | { type: 'read-script'; bundlePath: string; env: Record<string, string> }
  /** Import the bundle, call its handleSummary(data), answer `summary-handled`. */
  | { type: 'handle-summary'; bundlePath: string; env: Record<string, string>; data: unknown }
  | { type: 'init'; plan: WorkerPlan }
  | { type: 'setup'; timeoutMs: number }
  | { type: 'start-scenario'; name: string; data: unknown }
  /** Stop everything: `graceful` gives in-flight iterations their gracefulStop, otherwise abort now. */
  | { type: 'stop'; graceful: boolean }
  | { type: 'teardown'; data: unknown; timeoutMs: number }
  /** Flush the last metrics, close connections and exit. */
  | { type: 'shutdown' };

export type FatalPhase = 'init' | 'setup' | 'teardown' | 'summary' | 'run' | 'script';

export interface IterationErrorReport {
  /** First line of the message, with the scenario location when known. */
  message: string;
  count: number;
}

export type WorkerMessage =
  | { type: 'script-read'; facts: ScriptFacts }
  | { type: 'summary-handled'; result: unknown }
  | { type: 'ready'; workerIndex: number }
  /**
   * `vus`: the most VUs busy or looping at once since the previous snapshot (an arrival-rate VU is
   * busy for milliseconds: an instant's count would mostly be 0); `vusAllocated`: the VUs that exist.
   */
  | { type: 'metrics'; workerIndex: number; snapshot: MetricSnapshot; vus: number; vusAllocated: number; errors: IterationErrorReport[]; warnings?: string[] }
  | { type: 'setup-done'; data: unknown }
  | { type: 'teardown-done' }
  | { type: 'scenario-done'; workerIndex: number; name: string }
  | { type: 'stopped'; workerIndex: number }
  /**
   * A failure outside any iteration: import ('init'), setup, teardown, handleSummary, a runtime bug
   * ('run'), or the scenario's top-level code throwing later, from a timer or a floating promise
   * ('script': the worker lives on).
   */
  | { type: 'fatal'; workerIndex: number; phase: FatalPhase; error: SerializedError }
  | { type: 'shutdown-done'; workerIndex: number };
