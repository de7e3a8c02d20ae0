/**
 * The shape of a scenario file's `options`. The value of `defineScenario` is in these types:
 * executors are a union discriminated on `executor`, thresholds are template-literal strings, so an
 * editor flags `executor: 'constant-vu'` or `'p95<<1'` before anything runs.
 */
import type { CheckedThresholds, Thresholds } from './threshold-types.js';

export type { Thresholds };

type DurationUnit = 'us' | 'ms' | 's' | 'm' | 'h';
/** "500ms", "30s", "1m30s", "1h2m3s"; a bare number is milliseconds. */
export type Duration =
  | number
  | `${number}${DurationUnit}`
  | `${number}${DurationUnit}${number}${DurationUnit}`
  | `${number}${DurationUnit}${number}${DurationUnit}${number}${DurationUnit}`;

export interface Stage {
  /** How long this stage takes to move linearly from the previous target to `target`. */
  duration: Duration;
  target: number;
}

interface ScenarioBase {
  /** Start this long after the test starts (or after the end of `after`, when both are set). @default 0 */
  startTime?: Duration;
  /** Start when the named scenario has fully finished (including its graceful stop). */
  after?: string;
  /** Time in-flight iterations get to finish when the scenario ends before they are interrupted. @default '30s' */
  gracefulStop?: Duration;
  /** Name of the exported function each iteration calls. @default 'default' */
  exec?: string;
  /** Extra environment values visible as `__ENV` / `process.env` inside this scenario's iterations. */
  env?: Record<string, string>;
  /** Tags added to every sample of this scenario. */
  tags?: Record<string, string>;
  /** Thresholds scoped to this scenario: `http_req_duration` here means `http_req_duration{scenario:<name>}`. */
  thresholds?: Thresholds;
}

export interface SharedIterationsScenario extends ScenarioBase {
  executor: 'shared-iterations';
  /** @default 1 */
  vus?: number;
  /** Total iterations shared by all VUs. @default 1 */
  iterations?: number;
  /** @default '10m' */
  maxDuration?: Duration;
}

export interface PerVuIterationsScenario extends ScenarioBase {
  executor: 'per-vu-iterations';
  /** @default 1 */
  vus?: number;
  /** Iterations each VU runs. @default 1 */
  iterations?: number;
  /** @default '10m' */
  maxDuration?: Duration;
}

export interface ConstantVusScenario extends ScenarioBase {
  executor: 'constant-vus';
  /** @default 1 */
  vus?: number;
  duration: Duration;
}

export interface RampingVusScenario extends ScenarioBase {
  executor: 'ramping-vus';
  /** @default 1 */
  startVUs?: number;
  stages: Stage[];
  /** Time a VU that is ramped down gets to finish its iteration. @default '30s' */
  gracefulRampDown?: Duration;
}

export interface ConstantArrivalRateScenario extends ScenarioBase {
  executor: 'constant-arrival-rate';
  /** Iterations started per `timeUnit`. */
  rate: number;
  /** @default '1s' */
  timeUnit?: Duration;
  duration: Duration;
  /** VUs allocated before the start. */
  preAllocatedVUs: number;
  /** Upper bound on VUs; a start that finds them all busy is a dropped iteration. @default preAllocatedVUs */
  maxVUs?: number;
}

export interface RampingArrivalRateScenario extends ScenarioBase {
  executor: 'ramping-arrival-rate';
  /** @default 0 */
  startRate?: number;
  /** @default '1s' */
  timeUnit?: Duration;
  stages: Stage[];
  preAllocatedVUs: number;
  /** @default preAllocatedVUs */
  maxVUs?: number;
}

/** `capacity-search`: steps of arrival rate, each held for `hold`, until a step fails its SLA (docs/executors.md). */
export interface CapacitySearchScenario extends ScenarioBase {
  executor: 'capacity-search';
  /** The first step's rate (iterations per `timeUnit`). */
  from: number;
  /** Added per step (`from: 100, step: 100` → 100, 200, 300 …); give this or `factor`. */
  step?: number;
  /** Multiplied per step (`from: 100, factor: 10` → 100, 1K, 10K …). */
  factor?: number;
  /** The highest step (the last one, when the sequence passes it). */
  max: number;
  /** How long each step is held. */
  hold: Duration;
  /** @default '1s' */
  timeUnit?: Duration;
  /** Threshold expressions each step must hold, scoped to the step. The first step that fails them ends the search. */
  sla: Thresholds;
  preAllocatedVUs: number;
  /** @default preAllocatedVUs */
  maxVUs?: number;
  /** A step whose iterations started later than this at p95, or that dropped iterations, is inconclusive (the generator fell behind). @default '100ms' */
  maxLag?: Duration;
  /** Thresholds on every step beside the SLA. */
  thresholds?: Thresholds;
}

export type Scenario =
  | SharedIterationsScenario
  | PerVuIterationsScenario
  | ConstantVusScenario
  | RampingVusScenario
  | ConstantArrivalRateScenario
  | RampingArrivalRateScenario
  | CapacitySearchScenario;

export type ExecutorName = Scenario['executor'];

export interface HttpOptions {
  /** Default request timeout. @default '60s' */
  timeout?: Duration;
  /**
   * false (default): every VU owns its keep-alive connection(s), as real clients do, so N VUs hold
   * N connections. true: VUs of one worker share one pool per origin (raw throughput tests).
   */
  shareConnections?: boolean;
  /** Parallel connections per host for `http.batch`. @default 6 */
  batchPerHost?: number;
  /** Skip TLS certificate verification. @default false */
  insecureSkipTLSVerify?: boolean;
  /**
   * Send `accept-encoding: gzip, deflate, br` and decode such bodies (node:zlib); `res.body` is the
   * decoded body, `data_received` the bytes on the wire. false: no accept-encoding and no decoding. @default true
   */
  compression?: boolean;
  /**
   * HTTP/2 over TLS when the server picks it by ALPN (one connection per VU and origin, requests
   * multiplexed on it); false offers only HTTP/1.1. @default true
   */
  http2?: boolean;
  /** HTTP/2 with prior knowledge (h2c) on plain http:// origins. @default false */
  h2c?: boolean;
  /** The user-agent header of every request ('' sends none; a request's own header wins). @default 'mcprun/<version> (...)' */
  userAgent?: string;
  /**
   * Redirects followed per request (k6's `maxRedirects`); each hop is a request of its own in the
   * metrics, the script gets the last response. 0 returns every 3xx as it is. @default 10
   */
  maxRedirects?: number;
  /**
   * Keep a VU's cookies from one iteration to the next. As in k6, each iteration starts with an
   * empty cookie jar (an iteration is one user's visit: log in, browse, leave); true keeps the
   * jar for the VU's whole life. @default false
   */
  noCookiesReset?: boolean;
  /**
   * The largest response body kept for the script (responseType 'text' or 'binary'): bytes, or a
   * size such as '64MB' or '1GiB'. A larger body is not buffered: the request fails with
   * error_code body_too_large and its connection is closed. responseType 'none' has no limit
   * (nothing is kept). @default '64MiB'
   */
  maxResponseSize?: number | string;
}

/** A series of the system under test's exposition, beyond the standard process and runtime ones. */
export interface SutSeries {
  /** The series' name as the exposition spells it, e.g. 'http_requests_total'. */
  name: string;
  /** Only samples with these label values (the matching samples are summed), e.g. { code: '500' }. */
  labels?: Record<string, string>;
  /** 'gauge': the value as it is; 'rate': a counter's increase per real second. */
  as: 'gauge' | 'rate';
  /** The metric it becomes. @default `sut_${name}` */
  metric?: `sut_${string}`;
}

interface SutMetricsSource {
  /** A Prometheus text endpoint of the server, e.g. 'http://127.0.0.1:9464/metrics' (loopback unless allowRemote). */
  prometheus?: string;
  /** Further series to sample from `prometheus`. */
  series?: SutSeries[];
  /** Scrape a host other than this machine. @default false */
  allowRemote?: boolean;
}

/**
 * The system under test, sampled beside the load once a second (sut_rss, sut_cpu, sut_open_fds,
 * sut_threads, sut_connections, sut_memory_per_connection, GC series): a local process and its
 * children (`pid`, `pids`), a managed target of the run (`target`), a Prometheus endpoint
 * (`prometheus`), or a process and its endpoint together. `--sut-pid` / `--sut-metrics` override.
 */
export type SutOptions =
  | (SutMetricsSource & { pid: number; pids?: never; target?: never })
  | (SutMetricsSource & { pids: number[]; pid?: never; target?: never })
  | (SutMetricsSource & { target: string; pid?: never; pids?: never })
  | (SutMetricsSource & { prometheus: string; pid?: never; pids?: never; target?: never });

export interface Options {
  scenarios?: Record<string, Scenario>;
  thresholds?: Thresholds;
  /** Shortcuts that build a `default` scenario when `scenarios` is absent (as in k6). */
  vus?: number;
  duration?: Duration;
  iterations?: number;
  stages?: Stage[];
  http?: HttpOptions;
  /** Tags on every sample of the run (a scenario's own `tags` and `--tag` win). */
  tags?: Record<string, string>;
  /** The trend stats of the summary, e.g. ['avg', 'p(95)', 'p(99.9)']. @default ['avg','min','med','max','p(90)','p(95)','p(99)'] */
  summaryTrendStats?: string[];
  /** Client certificates for TLS (k6's tlsAuth): PEM text, e.g. cert: open('client.pem'); `domains` limits one to those hosts. */
  tlsAuth?: Array<{ cert: string; key: string; password?: string; domains?: string[] }>;
  /** @default '60s' */
  setupTimeout?: Duration;
  /** @default '60s' */
  teardownTimeout?: Duration;
  /** The server whose resources are measured and judged beside the load: see SutOptions. */
  sut?: SutOptions;
  /** Named targets: an upstream behind a fault proxy, or a process mcprun starts (docs/faults.md). */
  targets?: Record<string, TargetOptions>;
  /** Named faults on those targets, placed in time (docs/faults.md). */
  faults?: Record<string, FaultOptions>;
  /** Type-check the scenario before any load, as `mcprun run --typecheck` (docs/typescript.md). @default false */
  typecheck?: boolean;
}

/** A target (docs/faults.md): `target(name)` gives the URL VUs use for it. */
export interface TargetOptions {
  /** 'http://127.0.0.1:8080', 'ws://…', 'tcp://…' (https/wss: network faults only). */
  upstream: string;
  /** A process mcprun starts before the load and stops after it (no shell: program then arguments). */
  command?: string[];
  env?: Record<string, string>;
  /** Relative to the scenario file's folder. */
  cwd?: string;
  /** Ready once a TCP connect to the upstream succeeds, or `url` answers below 500. @default { timeout: '30s' } */
  ready?: { timeout?: Duration; url?: string };
}

export type FaultKind =
  | 'latency'
  | 'bandwidth'
  | 'reset'
  | 'refuse'
  | 'blackhole'
  | 'timeout'
  | 'slow-close'
  | 'limit-data'
  | 'http-error'
  | 'http-delay'
  | 'kill'
  | 'pause'
  | 'restart';

/** A fault (docs/faults.md): placed by startTime, after: '<scenario>' or during: '<scenario>'. */
export interface FaultOptions {
  target: string;
  kind: FaultKind;
  /** Fraction of connections (network kinds) or requests (http-error, http-delay) affected: 0.1 or '10%'. @default 1 */
  rate?: number | string;
  direction?: 'upstream' | 'downstream' | 'both';
  startTime?: Duration;
  after?: string;
  during?: string;
  /** @default until the end of the run (or of the scenario, with during) */
  duration?: Duration;
  /** What counts as recovered after the fault (recovery_time). */
  recovered?: { failed?: string; latency?: string; for?: Duration };
  latency?: Duration;
  jitter?: Duration;
  /** '100KB/s' */
  bandwidth?: string;
  timeout?: Duration;
  delay?: Duration;
  bytes?: number | string;
  status?: number;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * Each key of `T` that Options lacks, mapped to a message type. Every unknown key is flagged on
 * its own line, whatever else is wrong in the same object (a plain excess-property check reports
 * one at a time, and only once the object's other errors are fixed).
 */
export type KnownOptionKeys<T> = { [K in keyof T]: K extends keyof Options ? unknown : `"${K & string}" is not an option of mcprun: see docs/dsl.md` };

/** A scenario whose `thresholds` (as written: `TH`) are checked per metric kind. */
type CheckedScenario<TH> = Scenario extends infer S ? (S extends Scenario ? Omit<S, 'thresholds'> & { thresholds?: CheckedThresholds<TH> } : never) : never;

/** Options with every thresholds object checked per metric kind; `SC` maps each scenario's name to its thresholds as written. */
export type CheckedOptions<TH, SC> = Omit<Options, 'thresholds' | 'scenarios'> & {
  thresholds?: CheckedThresholds<TH>;
  scenarios?: unknown extends SC ? Record<string, Scenario> : { [Name in keyof SC]: CheckedScenario<SC[Name]> };
};

/**
 * Identity function: its value is the type checking it gives the options object. Generic only to
 * see the keys as written: every unknown option key (KnownOptionKeys) and every threshold whose
 * aggregation its metric lacks (CheckedThresholds) is flagged on its own. Nested objects keep their
 * excess-property checks (a typo such as `vu: 10` for `vus: 10` inside a scenario is flagged), and
 * the return type is plain `Options`.
 */
export function defineScenario<T, TH, SC>(options: CheckedOptions<TH, SC> & KnownOptionKeys<T>): Options {
  // Every CheckedOptions is an Options (its thresholds and scenarios are narrower); the generic
  // form is more than the compiler can prove here.
  return options as Options;
}
