/**
 * User options → resolved plan. Precedence is defined here once: CLI flags > environment >
 * the scenario file's `options` > defaults. Every problem is collected and reported as one list
 * (exit 104) before any load is sent.
 */
import { McprunError, type McprunErrorCode } from '../errors.js';
import { EXECUTORS, EXECUTOR_NAMES } from '../executors/registry.js';
import { expandSearch } from '../executors/capacity-plan.js';
import type { BaseFields, ConfigIssue } from '../executors/types.js';
import type { HttpConfig } from '../protocols/http/types.js';
import { parseByteSize, suggestByteText } from './byte-size.js';
import { nearestName, type ThresholdEntry } from '../thresholds/index.js';
import { durationExpectation, parseDuration, suggestDuration } from '../duration.js';
import type { RunOptions } from './run-options.js';
import { parseDnsFlag } from './dns.js';
import { resolveTrendStats } from './trend-stats.js';
import { checkSutThresholds, resolveSut, withSutMetrics, type ResolvedSut, type SutFlags } from './sut-options.js';
import { readThresholdMap, resolveThresholds, type KnownMetrics, type ThresholdCodes } from './thresholds.js';
import type { ResolvedScenario, ResolvedStage } from '../executors/resolved.js';
import { describeValue, readDuration } from '../executors/option-readers.js';
import { resolveFaultPlan, type FaultResolveOptions } from './faults-resolve.js';
import type { ResolvedFaultPlan } from './faults-resolved.js';

/** The CLI's overrides (all optional). */
export interface CliOverrides extends SutFlags {
  vus?: number;
  duration?: string;
  iterations?: number;
  stages?: ResolvedStage[];
  /** --no-thresholds: thresholds are parsed (a typo is still an error) but not judged. */
  noThresholds?: boolean;
  /** --tag: over options.tags. */
  tags?: Record<string, string>;
  summaryTrendStats?: string;
  /** --user-agent, --max-redirects, --insecure-skip-tls-verify, --dns, --http-debug: over options.http. */
  http?: Partial<Pick<HttpConfig, 'userAgent' | 'maxRedirects' | 'insecureSkipTLSVerify' | 'dnsPolicy' | 'debug'>>;
}

/** The run options that override the scenario file's options (precedence: these first). */
export function cliOverridesOf(opts: Omit<RunOptions, 'script'>): CliOverrides {
  const c: CliOverrides = {};
  if (opts.thresholds === false) c.noThresholds = true;
  if (opts.tags && Object.keys(opts.tags).length) c.tags = opts.tags;
  if (opts.summaryTrendStats !== undefined) c.summaryTrendStats = opts.summaryTrendStats;
  const http: NonNullable<CliOverrides['http']> = {};
  if (opts.userAgent !== undefined) http.userAgent = opts.userAgent;
  if (opts.maxRedirects !== undefined) http.maxRedirects = opts.maxRedirects;
  if (opts.insecureSkipTlsVerify) http.insecureSkipTLSVerify = true;
  if (opts.dns !== undefined) http.dnsPolicy = parseDnsFlag(opts.dns);
  if (opts.httpDebug !== undefined) http.debug = opts.httpDebug as 'headers' | 'full';
  if (Object.keys(http).length) c.http = http;
  if (opts.vus !== undefined) c.vus = opts.vus;
  if (opts.duration !== undefined) c.duration = opts.duration;
  if (opts.iterations !== undefined) c.iterations = opts.iterations;
  if (opts.stages?.length) c.stages = opts.stages.map(parseStageFlag);
  if (opts.sutPids?.length) c.sutPids = opts.sutPids;
  if (opts.sutMetrics !== undefined) c.sutMetrics = opts.sutMetrics;
  return c;
}

export interface ResolvedConfig {
  /** In start order (phases chained with `after` follow their predecessor). */
  scenarios: ResolvedScenario[];
  /** Every threshold, parsed and validated; scenario-scoped ones keyed `metric{scenario:name}`. */
  thresholds: ThresholdEntry[];
  http: HttpConfig;
  setupTimeoutMs: number;
  teardownTimeoutMs: number;
  /** The system under test sampled beside the load (options.sut, --sut-pid, --sut-metrics), if any. */
  sut: ResolvedSut | undefined;
  /** options.targets and options.faults (empty lists when the run has none). */
  faults: ResolvedFaultPlan;
  /** The trend stats of the summary (--summary-trend-stats, options.summaryTrendStats). */
  summaryTrendStats: string[];
  /** options.typecheck: type-check the scenario before any load (as --typecheck). */
  typecheck: boolean;
}

export type { KnownMetrics, ResolvedSut };

const SCENARIO_NAME = /^[A-Za-z0-9_-]+$/;
const OPTION_KEYS = ['scenarios', 'thresholds', 'vus', 'duration', 'iterations', 'stages', 'http', 'setupTimeout', 'teardownTimeout', 'sut', 'typecheck', 'targets', 'faults', 'tags', 'summaryTrendStats', 'tlsAuth'];

/**
 * `known` (the realm's metric registry) turns on the checks of threshold metrics and aggregations;
 * without it only the threshold syntax is checked.
 */
export function resolveConfig(options: unknown, cli: CliOverrides = {}, file = 'options', known?: KnownMetrics, faultOpts?: FaultResolveOptions): ResolvedConfig {
  const issues: ConfigIssue[] = [];
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw configError(file, [{ path: 'options', message: `must be an object (export const options = defineScenario({ ... })), received ${describe(options)}` }]);
  }
  const o = (options ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!OPTION_KEYS.includes(k)) {
      const near = nearestName(k, OPTION_KEYS);
      issues.push({ path: `options.${k}`, message: `is not a known option${near ? `; did you mean "${near}"?` : '.'} Known options: ${OPTION_KEYS.join(', ')}.` });
    }
  }
  const picked = pickScenarios(o, cli, issues);
  const globalTags = { ...readStringMap(o, 'tags', 'options', issues), ...cli.tags };
  const scenarios = resolveScenarios(picked.scenarios, picked.shortcut, cli, issues, globalTags);
  if (Object.keys(picked.scenarios).length === 0 && issues.length === 0) {
    issues.push({ path: 'options.scenarios', message: 'is empty: define at least one scenario, or use vus/duration/iterations' });
  }
  const ordered = orderByAfter(scenarios, issues);
  const faults = resolveFaultPlan({ targets: o.targets, faults: o.faults }, ordered, issues, faultOpts);
  const managed = faults.targets.filter((t) => t.managed).map((t) => t.name);
  const sut = resolveSut(o.sut, cli, issues, managed.length ? managed : undefined);
  const thresholdCodes: ThresholdCodes = new Set();
  const thresholds = resolveThresholds(o.thresholds, ordered, known && withSutMetrics(known, sut), issues, thresholdCodes);
  if (!checkSutThresholds(thresholds, sut, issues)) thresholdCodes.add('MCPRUN_THRESHOLD_METRIC');
  const http = { ...resolveHttp(o.http, issues), ...readTlsAuth(o.tlsAuth, issues), ...cli.http };
  const summaryTrendStats = resolveTrendStats(cli.summaryTrendStats ?? o.summaryTrendStats, cli.summaryTrendStats !== undefined ? '--summary-trend-stats' : 'options.summaryTrendStats', issues);
  const setupTimeoutMs = readDuration(o, 'setupTimeout', 'options', issues, { default: 60_000, allowZero: false });
  const teardownTimeoutMs = readDuration(o, 'teardownTimeout', 'options', issues, { default: 60_000, allowZero: false });
  const typecheck = readBool(o, 'typecheck', 'options', issues, false);
  if (issues.length) {
    // Only threshold problems of one kind: keep that kind's code (MCPRUN_THRESHOLD_SYNTAX, ...).
    const onlyThresholds = thresholdCodes.size === 1 && issues.every((i) => /(^|\.)thresholds\b/.test(i.path));
    const grammar = thresholdCodes.has('MCPRUN_THRESHOLD_SYNTAX')
      ? 'Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".'
      : undefined;
    throw configError(file, issues, onlyThresholds ? [...thresholdCodes][0] : 'MCPRUN_CONFIG', grammar);
  }
  return { scenarios: ordered, thresholds: cli.noThresholds ? [] : thresholds, http, setupTimeoutMs, teardownTimeoutMs, sut, typecheck, faults, summaryTrendStats };
}

/** Each named scenario through its executor's resolver, in declaration order; vu ids follow on across scenarios. */
function resolveScenarios(raw: Record<string, unknown>, shortcut: boolean, cli: CliOverrides, issues: ConfigIssue[], globalTags: Record<string, string>): ResolvedScenario[] {
  const scenarios: ResolvedScenario[] = [];
  const byLowerName = new Map<string, string>();
  let idOffset = 0;
  for (const [name, value] of expandCapacitySearches(raw, issues)) {
    checkScenarioName(name, byLowerName, issues);
    const before = issues.length;
    const resolved = resolveScenario(name, value, idOffset, issues, globalTags);
    if (!resolved) continue;
    // A `default` scenario built from the shortcuts: name the option the user wrote.
    if (shortcut && name === 'default') for (const i of issues.slice(before)) i.path = shortcutPath(i.path, cli);
    idOffset += (EXECUTORS[resolved.executor].maxVUs as (s: ResolvedScenario) => number)(resolved);
    scenarios.push(resolved);
  }
  return scenarios;
}

/** A `capacity-search` scenario is one scenario per step (executors/capacity-plan.ts). */
function expandCapacitySearches(raw: Record<string, unknown>, issues: ConfigIssue[]): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [name, value] of Object.entries(raw)) {
    const r = value as Record<string, unknown> | null;
    if (r && typeof r === 'object' && r.executor === 'capacity-search') out.push(...expandSearch(name, r, `scenarios.${name}`, issues));
    else out.push([name, value]);
  }
  return out;
}

function checkScenarioName(name: string, byLowerName: Map<string, string>, issues: ConfigIssue[]): void {
  if (!SCENARIO_NAME.test(name)) {
    const fixed = name.trim().replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
    issues.push({ path: `scenarios[${JSON.stringify(name)}]`, message: `has an invalid name: use letters, digits, "_" and "-" only${fixed ? `, e.g. "${fixed}"` : ''}` });
  }
  const twin = byLowerName.get(name.toLowerCase());
  if (twin !== undefined) {
    issues.push({
      path: `scenarios.${name}`,
      message: `and scenarios.${twin} differ only in case: they would read as one scenario in the summary and reports, and collide as file names on case-insensitive file systems. Rename one.`,
    });
  } else byLowerName.set(name.toLowerCase(), name);
}

/** One scenario: the fields every executor shares, then its executor's own; undefined when it has no valid executor. */
function resolveScenario(name: string, raw: unknown, idOffset: number, issues: ConfigIssue[], globalTags: Record<string, string>): ResolvedScenario | undefined {
  const path = `scenarios.${name}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issues.push({ path, message: `must be an object with an executor, e.g. { executor: 'constant-vus', vus: 10, duration: '30s' }, received ${describe(raw)}` });
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const exName = r.executor;
  if (typeof exName !== 'string' || !Object.hasOwn(EXECUTORS, exName)) {
    const near = typeof exName === 'string' ? nearestName(exName, EXECUTOR_NAMES) : undefined;
    issues.push({
      path: `${path}.executor`,
      message: `${exName === undefined ? 'is required' : `${describe(exName)} is not an executor`}${near ? `; did you mean "${near}"? Executors: ` : ': write one of '}${EXECUTOR_NAMES.join(', ')}.`,
    });
    return undefined;
  }
  const base: BaseFields = {
    name,
    executor: exName as BaseFields['executor'],
    exec: readExec(r, path, issues),
    env: readStringMap(r, 'env', path, issues),
    tags: { ...globalTags, ...readStringMap(r, 'tags', path, issues) },
    startTimeMs: readDuration(r, 'startTime', path, issues, { default: 0 }),
    after: readAfter(r, path, issues),
    gracefulStopMs: readDuration(r, 'gracefulStop', path, issues, { default: 30_000 }),
    thresholds: readThresholdMap(r.thresholds, `${path}.thresholds`, issues),
    idOffset,
  };
  return EXECUTORS[exName as keyof typeof EXECUTORS].resolve(r, base, path, issues) as ResolvedScenario;
}

function resolveHttp(raw: unknown, issues: ConfigIssue[]): HttpConfig {
  let httpRaw = (raw ?? {}) as Record<string, unknown>;
  if (typeof httpRaw !== 'object' || httpRaw === null || Array.isArray(httpRaw)) {
    issues.push({ path: 'options.http', message: `must be an object, e.g. http: { timeout: '30s' }, received ${describe(httpRaw)}` });
    httpRaw = {};
  }
  return {
    timeoutMs: readDuration(httpRaw, 'timeout', 'options.http', issues, { default: 60_000, allowZero: false }),
    shareConnections: readBool(httpRaw, 'shareConnections', 'options.http', issues, false),
    batchPerHost: typeof httpRaw.batchPerHost === 'number' && Number.isInteger(httpRaw.batchPerHost) && httpRaw.batchPerHost > 0 ? httpRaw.batchPerHost : 6,
    insecureSkipTLSVerify: readBool(httpRaw, 'insecureSkipTLSVerify', 'options.http', issues, false),
    compression: readBool(httpRaw, 'compression', 'options.http', issues, true),
    http2: readBool(httpRaw, 'http2', 'options.http', issues, true),
    h2c: readBool(httpRaw, 'h2c', 'options.http', issues, false),
    noCookiesReset: readBool(httpRaw, 'noCookiesReset', 'options.http', issues, false),
    ...(typeof httpRaw.userAgent === 'string' ? { userAgent: httpRaw.userAgent } : readUserAgent(httpRaw.userAgent, issues)),
    maxRedirects: readMaxRedirects(httpRaw.maxRedirects, 'options.http.maxRedirects', issues),
    maxResponseSize: readSize(httpRaw.maxResponseSize, 'options.http.maxResponseSize', issues, DEFAULT_MAX_RESPONSE_SIZE),
  };
}

const DEFAULT_MAX_RESPONSE_SIZE = 64 * 1024 * 1024;

/** options.tlsAuth: [{ cert, key, password?, domains? }] (PEM strings, e.g. open('client.pem')). */
function readTlsAuth(v: unknown, issues: ConfigIssue[]): Pick<HttpConfig, 'tlsAuth'> {
  if (v === undefined) return {};
  const example = "e.g. tlsAuth: [{ domains: ['api.internal'], cert: open('client.pem'), key: open('client-key.pem') }]";
  if (!Array.isArray(v)) {
    issues.push({ path: 'options.tlsAuth', message: `must be a list of { cert, key, password?, domains? }, ${example}; received ${describe(v)}` });
    return {};
  }
  const out: NonNullable<HttpConfig['tlsAuth']> = [];
  v.forEach((e: unknown, i) => {
    const r = (e ?? {}) as Record<string, unknown>;
    const path = `options.tlsAuth[${i}]`;
    const pem = (k: string) => typeof r[k] === 'string' && (r[k] as string).includes('-----BEGIN');
    if (!pem('cert') || !pem('key')) {
      issues.push({ path, message: `needs cert and key as PEM text (open('client.pem')), ${example}` });
      return;
    }
    if (r.domains !== undefined && !(Array.isArray(r.domains) && r.domains.every((d) => typeof d === 'string' && d))) {
      issues.push({ path: `${path}.domains`, message: `must be a list of host names, e.g. ['api.internal'], received ${describe(r.domains)}` });
      return;
    }
    if (r.password !== undefined && typeof r.password !== 'string') issues.push({ path: `${path}.password`, message: 'must be a string (the key\'s passphrase)' });
    out.push({ cert: r.cert as string, key: r.key as string, ...(typeof r.password === 'string' ? { password: r.password } : {}), ...(r.domains ? { domains: r.domains as string[] } : {}) });
  });
  return out.length ? { tlsAuth: out } : {};
}

function readUserAgent(v: unknown, issues: ConfigIssue[]): Record<string, never> {
  if (v !== undefined) issues.push({ path: 'options.http.userAgent', message: `must be a string ('' sends no user-agent), received ${describe(v)}` });
  return {};
}

/** Bytes, or a size as fault options write them ('64MB', '1GiB': config/byte-size.ts). */
function readSize(v: unknown, path: string, issues: ConfigIssue[], dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  const n = typeof v === 'string' ? parseByteSize(v) : undefined;
  if (n !== undefined && n >= 1) return n;
  const near = typeof v === 'string' ? suggestByteText(v) : undefined;
  issues.push({ path, message: `must be a size in bytes > 0, or a string such as '64MB' or '1GiB', received ${describe(v)}${near ? `; did you mean '${near}'?` : ''}` });
  return dflt;
}

/** k6's shortcut rules: vus/duration/iterations/stages build a `default` scenario; CLI shortcuts replace the file's scenarios. */
function pickScenarios(o: Record<string, unknown>, cli: CliOverrides, issues: ConfigIssue[]): { scenarios: Record<string, unknown>; shortcut: boolean } {
  const named = (scenarios: Record<string, unknown>) => ({ scenarios, shortcut: false });
  const built = (scenario: Record<string, unknown>) => ({ scenarios: { default: scenario }, shortcut: true });
  const cliReplaces = cli.duration !== undefined || cli.iterations !== undefined || cli.stages !== undefined;
  if (o.scenarios !== undefined && !cliReplaces) {
    if (cli.vus !== undefined) {
      issues.push({ path: '--vus', message: 'cannot change named scenarios on its own: add --duration, --iterations or --stage to replace them with one default scenario, or edit vus in the scenario' });
    }
    if (typeof o.scenarios !== 'object' || o.scenarios === null || Array.isArray(o.scenarios)) {
      issues.push({
        path: 'options.scenarios',
        message: `must be an object of named scenarios, e.g. { smoke: { executor: 'constant-vus', vus: 1, duration: '10s' } }, received ${describe(o.scenarios)}`,
      });
      return named({});
    }
    for (const k of ['vus', 'duration', 'iterations', 'stages']) {
      if (o[k] !== undefined) issues.push({ path: `options.${k}`, message: `cannot be combined with options.scenarios: set it inside the scenario instead` });
    }
    return named(o.scenarios as Record<string, unknown>);
  }
  const vus = cli.vus ?? o.vus;
  const stages = cli.stages ?? (cliReplaces ? undefined : o.stages);
  const duration = cli.duration ?? (cliReplaces && cli.iterations !== undefined ? undefined : o.duration);
  const iterations = cli.iterations ?? (cliReplaces && cli.duration !== undefined ? undefined : o.iterations);
  if (stages !== undefined) {
    const resolvedStages = cli.stages !== undefined ? cli.stages.map((s) => ({ duration: s.durationMs, target: s.target })) : stages;
    return built({ executor: 'ramping-vus', startVUs: vus ?? 1, stages: resolvedStages });
  }
  if (iterations !== undefined) {
    return built({ executor: 'shared-iterations', vus: vus ?? 1, iterations, ...(duration !== undefined ? { maxDuration: duration } : {}) });
  }
  if (duration !== undefined) return built({ executor: 'constant-vus', vus: vus ?? 1, duration });
  return built({ executor: 'shared-iterations', vus: vus ?? 1, iterations: vus ?? 1 });
}

/** `scenarios.default.duration` → `options.duration` or `--duration`: the place the user wrote it. */
function shortcutPath(path: string, cli: CliOverrides): string {
  const m = /^scenarios\.default\.(\w+)(.*)$/.exec(path);
  if (!m) return path;
  const [, field, rest] = m;
  const source: Record<string, [option: string, flag: string, fromCli: boolean]> = {
    vus: ['vus', '--vus', cli.vus !== undefined],
    startVUs: ['vus', '--vus', cli.vus !== undefined],
    duration: ['duration', '--duration', cli.duration !== undefined],
    maxDuration: ['duration', '--duration', cli.duration !== undefined],
    iterations: ['iterations', '--iterations', cli.iterations !== undefined],
    stages: ['stages', '--stage', cli.stages !== undefined],
  };
  const s = source[field];
  if (!s) return path;
  return s[2] ? s[1] : `options.${s[0]}${rest}`;
}

/** Topological order by `after`, then by start time; cycles and unknown names are errors. */
function orderByAfter(scenarios: ResolvedScenario[], issues: ConfigIssue[]): ResolvedScenario[] {
  const byName = new Map(scenarios.map((s) => [s.name, s]));
  for (const s of scenarios) {
    if (s.after !== undefined && !byName.has(s.after)) {
      const near = nearestName(s.after, [...byName.keys()]);
      issues.push({ path: `scenarios.${s.name}.after`, message: `names a scenario that does not exist: ${JSON.stringify(s.after)}${near ? `; did you mean "${near}"?` : ''}` });
    }
    if (s.after === s.name) issues.push({ path: `scenarios.${s.name}.after`, message: 'names the scenario itself: a phase cannot wait for its own end. Name the scenario it should follow, or remove "after".' });
  }
  const seen = new Set<string>();
  for (const s of scenarios) {
    const chain: string[] = [];
    let cur: ResolvedScenario | undefined = s;
    while (cur && cur.after !== undefined && !seen.has(cur.name)) {
      if (chain.includes(cur.name)) {
        const cycle = chain.slice(chain.indexOf(cur.name));
        if (cycle.length > 1) {
          issues.push({ path: `scenarios.${cur.name}.after`, message: `forms a cycle: ${[...cycle, cur.name].join(' → ')}; every phase would wait for another forever. Remove one "after".` });
        }
        break;
      }
      chain.push(cur.name);
      cur = byName.get(cur.after);
    }
    for (const n of chain) seen.add(n);
  }
  if (issues.length) return scenarios;
  // Start order: by planned start (a chained phase starts after its predecessor's planned duration),
  // a predecessor always before its followers; ties keep the order of declaration.
  const planned = new Map<string, { start: number; depth: number }>();
  const plan = (s: ResolvedScenario): { start: number; depth: number } => {
    const known = planned.get(s.name);
    if (known) return known;
    let p = { start: s.startTimeMs, depth: 0 };
    if (s.after) {
      const parent = byName.get(s.after)!;
      const pp = plan(parent);
      const dur = (EXECUTORS[parent.executor].plannedDurationMs as (x: ResolvedScenario) => number | undefined)(parent) ?? 0;
      p = { start: pp.start + dur + s.startTimeMs, depth: pp.depth + 1 };
    }
    planned.set(s.name, p);
    return p;
  };
  return scenarios
    .map((s, i) => ({ s, i, p: plan(s) }))
    .sort((a, b) => a.p.start - b.p.start || a.p.depth - b.p.depth || a.i - b.i)
    .map((x) => x.s);
}

function readExec(r: Record<string, unknown>, path: string, issues: ConfigIssue[]): string {
  const v = r.exec ?? 'default';
  if (typeof v !== 'string' || !v) {
    issues.push({ path: `${path}.exec`, message: `must be the name of an exported function, received ${describe(v)}` });
    return 'default';
  }
  return v;
}

function readAfter(r: Record<string, unknown>, path: string, issues: ConfigIssue[]): string | undefined {
  const v = r.after;
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !v) {
    issues.push({ path: `${path}.after`, message: `must be the name of another scenario, received ${describe(v)}` });
    return undefined;
  }
  return v;
}

function readStringMap(r: Record<string, unknown>, key: string, path: string, issues: ConfigIssue[]): Record<string, string> {
  const v = r[key];
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    issues.push({ path: `${path}.${key}`, message: `must be an object of strings, e.g. ${key}: { region: 'eu' }, received ${describe(v)}` });
    return {};
  }
  let ok = true;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') continue;
    ok = false;
    const advice = typeof x === 'number' || typeof x === 'boolean' ? `; write ${k}: '${String(x)}'` : '';
    issues.push({ path: `${path}.${key}.${k}`, message: `must be a string, received ${describe(x)}${advice}` });
  }
  return ok ? { ...(v as Record<string, string>) } : {};
}

function readMaxRedirects(v: unknown, path: string, issues: ConfigIssue[]): number {
  if (v === undefined) return 10;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  issues.push({ path, message: `must be a whole number >= 0 (0 returns every 3xx as it is), e.g. maxRedirects: 5, received ${describe(v)}` });
  return 10;
}

function readBool(r: Record<string, unknown>, key: string, path: string, issues: ConfigIssue[], def: boolean): boolean {
  const v = r[key];
  if (v === undefined) return def;
  if (typeof v !== 'boolean') {
    issues.push({ path: `${path}.${key}`, message: `must be true or false, received ${describe(v)}` });
    return def;
  }
  return v;
}

function describe(v: unknown): string {
  return describeValue(v);
}

export function configError(file: string, issues: ConfigIssue[], code: McprunErrorCode = 'MCPRUN_CONFIG', note?: string): McprunError {
  // An issue whose message starts with ":" quotes another error's own words after its path.
  const lines = issues.map((i) => `  - ${i.path}${i.message.startsWith(':') ? '' : ' '}${i.message}`);
  // True even when the scenario's top-level code talks to the network itself (node:http, fetch):
  // mcprun ran no VU; that code ran once, here, to compute `options` (docs/dsl.md, "Init code").
  const fix = `${issues.length > 1 ? `Fix these ${issues.length} problems` : 'Fix it'} and run again; no load was sent (only the scenario's top-level code ran, to read its options).`;
  return new McprunError(code, `invalid configuration in ${file}:\n${lines.join('\n')}\n${note ? `${note}\n` : ''}${fix}`);
}

/** `--stage 30s:100` → a stage. */
export function parseStageFlag(s: string): ResolvedStage {
  const m = /^([^:]+):(\d+)$/.exec(s.trim());
  if (!m) {
    const target = /:(.*)$/.exec(s.trim())?.[1];
    const problem = target === undefined ? 'no ":TARGET"' : `the target ${JSON.stringify(target)} is not a whole number of VUs`;
    throw new McprunError('MCPRUN_CLI', `invalid --stage ${JSON.stringify(s)}: ${problem}; expected DURATION:TARGET, e.g. --stage 30s:100.`);
  }
  try {
    return { durationMs: parseDuration(m[1], `--stage ${s}`), target: Number(m[2]) };
  } catch {
    const fix = suggestDuration(m[1]);
    throw new McprunError(
      'MCPRUN_CLI',
      `invalid --stage ${JSON.stringify(s)}: ${JSON.stringify(m[1])} is not a duration; expected DURATION:TARGET with ${durationExpectation(true)}, e.g. --stage ${fix ?? '30s'}:${m[2]}.`,
    );
  }
}

