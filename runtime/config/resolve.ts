/**
 * User options → resolved plan. Precedence is defined here once: CLI flags > environment >
 * the scenario file's `options` > defaults. Every problem is collected and reported as one list
 * (exit 104) before any load is sent.
 */
import type { Options } from '../../dsl/options.js';
import { McprunError } from '../errors.js';
import { EXECUTORS, EXECUTOR_NAMES } from '../executors/registry.js';
import type { BaseFields, ConfigIssue } from '../executors/types.js';
import type { HttpConfig } from '../protocols/http/vu-http.js';
import { nearestName } from '../thresholds/index.js';
import { parseDuration } from './duration.js';
import type { ResolvedScenario, ResolvedStage } from './resolved.js';
import { readDuration, readStages } from '../executors/option-readers.js';

/** The CLI's overrides (all optional). */
export interface CliOverrides {
  vus?: number;
  duration?: string;
  iterations?: number;
  stages?: ResolvedStage[];
}

export interface ResolvedConfig {
  /** In start order (phases chained with `after` follow their predecessor). */
  scenarios: ResolvedScenario[];
  /** Every threshold, scenario-scoped ones rewritten to `metric{scenario:name}`. */
  thresholds: Record<string, unknown[]>;
  http: HttpConfig;
  setupTimeoutMs: number;
  teardownTimeoutMs: number;
}

const SCENARIO_NAME = /^[A-Za-z0-9_-]+$/;
const OPTION_KEYS = ['scenarios', 'thresholds', 'vus', 'duration', 'iterations', 'stages', 'http', 'setupTimeout', 'teardownTimeout'];

export function resolveConfig(options: unknown, cli: CliOverrides = {}, file = 'options'): ResolvedConfig {
  const issues: ConfigIssue[] = [];
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw configError(file, [{ path: 'options', message: `must be an object (export const options = defineScenario({ ... })), received ${describe(options)}` }]);
  }
  const o = (options ?? {}) as Options & Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!OPTION_KEYS.includes(k)) {
      const near = nearestName(k, OPTION_KEYS);
      issues.push({ path: `options.${k}`, message: `is not a known option${near ? `; did you mean "${near}"?` : ''} Known options: ${OPTION_KEYS.join(', ')}` });
    }
  }

  const rawScenarios = pickScenarios(o, cli, issues);
  const scenarios: ResolvedScenario[] = [];
  let idOffset = 0;
  for (const [name, raw] of Object.entries(rawScenarios)) {
    const path = `scenarios.${name}`;
    if (!SCENARIO_NAME.test(name)) issues.push({ path, message: `has an invalid name: use letters, digits, "_" and "-" only` });
    if (typeof raw !== 'object' || raw === null) {
      issues.push({ path, message: `must be an object with an executor, e.g. { executor: 'constant-vus', vus: 10, duration: '30s' }` });
      continue;
    }
    const r = raw as unknown as Record<string, unknown>;
    const exName = r.executor;
    if (typeof exName !== 'string' || !(exName in EXECUTORS)) {
      const near = typeof exName === 'string' ? nearestName(exName, EXECUTOR_NAMES) : undefined;
      issues.push({
        path: `${path}.executor`,
        message: `${exName === undefined ? 'is required' : `${JSON.stringify(exName)} is not an executor`}${near ? `; did you mean "${near}"?` : ''} Executors: ${EXECUTOR_NAMES.join(', ')}`,
      });
      continue;
    }
    const base: BaseFields = {
      name,
      executor: exName as BaseFields['executor'],
      exec: readExec(r, path, issues),
      env: readStringMap(r, 'env', path, issues),
      tags: readStringMap(r, 'tags', path, issues),
      startTimeMs: readDuration(r, 'startTime', path, issues, { default: 0 }),
      after: readAfter(r, path, issues),
      gracefulStopMs: readDuration(r, 'gracefulStop', path, issues, { default: 30_000 }),
      thresholds: readThresholdMap(r.thresholds, `${path}.thresholds`, issues),
      idOffset,
    };
    const def = EXECUTORS[exName as keyof typeof EXECUTORS];
    const resolved = def.resolve(r, base, path, issues) as ResolvedScenario;
    idOffset += (def.maxVUs as (s: ResolvedScenario) => number)(resolved);
    scenarios.push(resolved);
  }
  if (Object.keys(rawScenarios).length === 0 && issues.length === 0) {
    issues.push({ path: 'options.scenarios', message: 'is empty: define at least one scenario, or use vus/duration/iterations' });
  }

  const ordered = orderByAfter(scenarios, issues);

  const thresholds: Record<string, unknown[]> = { ...readThresholdMap(o.thresholds, 'options.thresholds', issues) };
  for (const s of ordered) {
    for (const [key, list] of Object.entries(s.thresholds)) {
      const scoped = scopeKey(key, s.name);
      thresholds[scoped] = [...(thresholds[scoped] ?? []), ...list];
    }
  }

  const httpRaw = (o.http ?? {}) as Record<string, unknown>;
  if (typeof httpRaw !== 'object' || httpRaw === null) issues.push({ path: 'options.http', message: 'must be an object, e.g. { timeout: "30s" }' });
  const http: HttpConfig = {
    timeoutMs: readDuration(httpRaw, 'timeout', 'options.http', issues, { default: 60_000, allowZero: false }),
    shareConnections: readBool(httpRaw, 'shareConnections', 'options.http', issues, false),
    batchPerHost: typeof httpRaw.batchPerHost === 'number' && Number.isInteger(httpRaw.batchPerHost) && httpRaw.batchPerHost > 0 ? httpRaw.batchPerHost : 6,
    insecureSkipTLSVerify: readBool(httpRaw, 'insecureSkipTLSVerify', 'options.http', issues, false),
  };
  const setupTimeoutMs = readDuration(o as Record<string, unknown>, 'setupTimeout', 'options', issues, { default: 60_000, allowZero: false });
  const teardownTimeoutMs = readDuration(o as Record<string, unknown>, 'teardownTimeout', 'options', issues, { default: 60_000, allowZero: false });

  if (issues.length) throw configError(file, issues);
  return { scenarios: ordered, thresholds, http, setupTimeoutMs, teardownTimeoutMs };
}

/** k6's shortcut rules: vus/duration/iterations/stages build a `default` scenario; CLI shortcuts replace the file's scenarios. */
function pickScenarios(o: Options & Record<string, unknown>, cli: CliOverrides, issues: ConfigIssue[]): Record<string, unknown> {
  const cliReplaces = cli.duration !== undefined || cli.iterations !== undefined || cli.stages !== undefined;
  if (o.scenarios !== undefined && !cliReplaces) {
    if (cli.vus !== undefined) {
      issues.push({ path: '--vus', message: 'cannot change named scenarios on its own: add --duration, --iterations or --stage to replace them with one default scenario, or edit vus in the scenario' });
    }
    if (typeof o.scenarios !== 'object' || o.scenarios === null || Array.isArray(o.scenarios)) {
      issues.push({ path: 'options.scenarios', message: `must be an object of named scenarios, e.g. { smoke: { executor: 'constant-vus', vus: 1, duration: '10s' } }` });
      return {};
    }
    for (const k of ['vus', 'duration', 'iterations', 'stages']) {
      if (o[k] !== undefined) issues.push({ path: `options.${k}`, message: `cannot be combined with options.scenarios: set it inside the scenario instead` });
    }
    return o.scenarios as Record<string, unknown>;
  }
  const vus = cli.vus ?? o.vus;
  const stages = cli.stages ?? (cliReplaces ? undefined : o.stages);
  const duration = cli.duration ?? (cliReplaces && cli.iterations !== undefined ? undefined : o.duration);
  const iterations = cli.iterations ?? (cliReplaces && cli.duration !== undefined ? undefined : o.iterations);
  if (stages !== undefined) {
    const resolvedStages = Array.isArray(stages) && stages.length && 'durationMs' in (stages[0] as object)
      ? (stages as ResolvedStage[]).map((s) => ({ duration: s.durationMs, target: s.target }))
      : stages;
    return { default: { executor: 'ramping-vus', startVUs: vus ?? 1, stages: resolvedStages } };
  }
  if (iterations !== undefined) {
    return { default: { executor: 'shared-iterations', vus: vus ?? 1, iterations, ...(duration !== undefined ? { maxDuration: duration } : {}) } };
  }
  if (duration !== undefined) return { default: { executor: 'constant-vus', vus: vus ?? 1, duration } };
  return { default: { executor: 'shared-iterations', vus: vus ?? 1, iterations: vus ?? 1 } };
}

/** Topological order by `after`, then by start time; cycles and unknown names are errors. */
function orderByAfter(scenarios: ResolvedScenario[], issues: ConfigIssue[]): ResolvedScenario[] {
  const byName = new Map(scenarios.map((s) => [s.name, s]));
  for (const s of scenarios) {
    if (s.after !== undefined && !byName.has(s.after)) {
      const near = nearestName(s.after, [...byName.keys()]);
      issues.push({ path: `scenarios.${s.name}.after`, message: `names a scenario that does not exist: ${JSON.stringify(s.after)}${near ? `; did you mean "${near}"?` : ''}` });
    }
    if (s.after === s.name) issues.push({ path: `scenarios.${s.name}.after`, message: 'names the scenario itself: a phase cannot wait for its own end' });
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

function scopeKey(key: string, scenario: string): string {
  const brace = key.indexOf('{');
  if (brace < 0) return `${key}{scenario:${scenario}}`;
  const inner = key.slice(brace + 1, key.lastIndexOf('}')).trim();
  return `${key.slice(0, brace)}{${inner ? `${inner},` : ''}scenario:${scenario}}`;
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
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    issues.push({ path: `${path}.${key}`, message: `must be an object of strings, e.g. { region: "eu" }, received ${describe(v)}` });
    return {};
  }
  return { ...(v as Record<string, string>) };
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

function readThresholdMap(v: unknown, path: string, issues: ConfigIssue[]): Record<string, unknown[]> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    issues.push({ path, message: `must be an object of metric → list of thresholds, e.g. { http_req_duration: ['p95<100ms'] }, received ${describe(v)}` });
    return {};
  }
  const out: Record<string, unknown[]> = {};
  for (const [k, list] of Object.entries(v)) {
    out[k] = Array.isArray(list) ? list : [list];
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'function') return 'a function';
  return typeof v === 'object' ? 'an object' : JSON.stringify(v);
}

export function configError(file: string, issues: ConfigIssue[]): McprunError {
  const lines = issues.map((i) => `  - ${i.path} ${i.message}`);
  return new McprunError('MCPRUN_CONFIG', `invalid configuration in ${file}:\n${lines.join('\n')}`, {
    hint: issues.length > 1 ? `Fix these ${issues.length} problems and run again; nothing was sent.` : 'Fix it and run again; nothing was sent.',
  });
}

/** `--stage 30s:100` → a stage. */
export function parseStageFlag(s: string): ResolvedStage {
  const m = /^([^:]+):(\d+)$/.exec(s.trim());
  if (!m) {
    throw new McprunError('MCPRUN_CLI', `invalid --stage ${JSON.stringify(s)}: expected DURATION:TARGET, e.g. --stage 30s:100`);
  }
  return { durationMs: parseDuration(m[1], `--stage ${s}`), target: Number(m[2]) };
}

export { readStages };
