/**
 * `options.targets` and `options.faults` → a resolved plan (faults-resolved.ts). Like
 * resolveConfig, every problem becomes a ConfigIssue naming the option and the fix, all reported
 * together (exit 104) before any load: an unknown target or kind (with the nearest name), a
 * parameter of the wrong type or unit, a process fault on a target mcprun does not run, an HTTP
 * fault on an upstream the proxy cannot read, a fault that can never overlap a scenario, and a
 * managed command that is not on PATH. Whether a managed target becomes ready is checked when it
 * starts, before the load, by the run itself. resolveConfig adds these issues to its own list
 * (this file does not import it back: that would close a cycle).
 */
import { isAbsolute, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { describeValue, readDuration } from '../executors/option-readers.js';
import type { ConfigIssue } from '../executors/types.js';
import { HTTP_FAULT_KINDS, type FaultDirection } from '../protocols/fault-proxy/types.js';
import { nearestName, parseThreshold, validateThreshold } from '../thresholds/index.js';
import { McprunError } from '../errors.js';
import { findExecutable } from './command-path.js';
import { FAULT_KIND_NAMES, FAULT_KINDS } from './fault-kinds.js';
import { checkFaultWindow } from './fault-window.js';
import type { FaultKind, RecoveryCriteria, ResolvedFault, ResolvedFaultPlan, ResolvedManaged, ResolvedTarget, ResolvedUpstream } from './faults-resolved.js';
import type { ResolvedScenario } from '../executors/resolved.js';

type Raw = Record<string, unknown>;

export interface FaultResolveOptions {
  /** Relative `cwd`s of managed targets start here (the scenario file's folder). @default process.cwd() */
  baseDir?: string;
  /** Where commands are looked up (PATH). @default process.env */
  env?: Record<string, string | undefined>;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const TARGET_KEYS = ['upstream', 'command', 'env', 'cwd', 'ready'];
const READY_KEYS = ['timeout', 'url'];
const FAULT_KEYS = ['target', 'kind', 'rate', 'direction', 'startTime', 'after', 'during', 'duration', 'recovered'];
const RECOVERED_KEYS = ['failed', 'latency', 'for'];
const DIRECTIONS: readonly FaultDirection[] = ['upstream', 'downstream', 'both'];
const SCHEMES = ['http', 'https', 'ws', 'wss', 'tcp'] as const;
const DEFAULT_PORTS: Record<string, number> = { http: 80, ws: 80, https: 443, wss: 443 };
const DEFAULT_READY_TIMEOUT_MS = 30_000;

/** Resolves both options into `issues`; `scenarios` are resolveConfig's (in start order). */
export function resolveFaultPlan(raw: { targets?: unknown; faults?: unknown }, scenarios: readonly ResolvedScenario[], issues: ConfigIssue[], opts: FaultResolveOptions = {}): ResolvedFaultPlan {
  const targets = entries(raw.targets, 'targets', "{ api: { upstream: 'http://127.0.0.1:8080' } }", issues).map(([name, r]) => readTarget(name, r, issues, opts));
  const faults = entries(raw.faults, 'faults', "{ crash: { target: 'api', kind: 'reset', startTime: '10s', duration: '2s' } }", issues)
    .map(([name, r]) => readFault(name, r, targets, scenarios, issues))
    .filter((f): f is ResolvedFault => f !== undefined);
  // A target without a command is there to be proxied; a managed one only when a network fault needs it.
  for (const t of targets) {
    const mine = faults.filter((f) => f.target === t.name && f.proxy !== undefined);
    if (!t.managed || mine.length) t.proxy = { protocol: mine.some((f) => HTTP_FAULT_KINDS.has(f.proxy!.params.kind)) ? 'http' : 'tcp' };
  }
  return { targets, faults };
}

/** The named entries of `options.<option>`, with their names checked. */
function entries(v: unknown, option: 'targets' | 'faults', example: string, issues: ConfigIssue[]): Array<[string, Raw]> {
  if (v === undefined) return [];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    issues.push({ path: `options.${option}`, message: `must be an object of named entries, e.g. ${example}, received ${describeValue(v)}` });
    return [];
  }
  const out: Array<[string, Raw]> = [];
  for (const [name, r] of Object.entries(v)) {
    const at = `${option}.${name}`;
    if (!NAME.test(name)) issues.push({ path: `${option}[${JSON.stringify(name)}]`, message: 'has an invalid name: use letters, digits, "_" and "-" only' });
    if (typeof r !== 'object' || r === null || Array.isArray(r)) issues.push({ path: at, message: `must be an object, received ${describeValue(r)}` });
    else out.push([name, r as Raw]);
  }
  return out;
}

function unknownKeys(r: Raw, known: readonly string[], path: string, what: string, issues: ConfigIssue[]): void {
  for (const k of Object.keys(r)) {
    if (known.includes(k)) continue;
    const near = nearestName(k, known);
    issues.push({ path: `${path}.${k}`, message: `is not an option of ${what}${near ? `; did you mean "${near}"?` : '.'} Its options are ${known.join(', ')}.` });
  }
}

function readTarget(name: string, r: Raw, issues: ConfigIssue[], opts: FaultResolveOptions): ResolvedTarget {
  const path = `targets.${name}`;
  unknownKeys(r, TARGET_KEYS, path, 'a target', issues);
  const upstream = readUpstream(r.upstream, `${path}.upstream`, issues);
  const managed = r.command === undefined ? readStrayManagedKeys(r, path, issues) : readManaged(r, path, upstream, issues, opts);
  return { name, upstream, proxy: undefined, managed };
}

function readUpstream(v: unknown, path: string, issues: ConfigIssue[]): ResolvedUpstream {
  const fallback: ResolvedUpstream = { url: String(v), scheme: 'http', host: '127.0.0.1', port: 0 };
  const example = "upstream: 'http://127.0.0.1:8080'";
  if (typeof v !== 'string') {
    issues.push({ path, message: `${v === undefined ? 'is required' : `must be a URL string, received ${describeValue(v)}`}: write e.g. ${example}` });
    return fallback;
  }
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    issues.push({ path, message: `is not a URL: ${JSON.stringify(v)}; write e.g. ${example} (scheme, host and port)` });
    return fallback;
  }
  const scheme = u.protocol.slice(0, -1);
  if (!(SCHEMES as readonly string[]).includes(scheme)) {
    issues.push({ path, message: `has the scheme "${scheme}:", expected one of ${SCHEMES.map((s) => `${s}://`).join(', ')}` });
    return fallback;
  }
  const port = u.port ? Number(u.port) : DEFAULT_PORTS[scheme];
  if (port === undefined) issues.push({ path, message: `needs a port: ${JSON.stringify(v)} has none, e.g. tcp://127.0.0.1:6379` });
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { url: v, scheme: scheme as ResolvedUpstream['scheme'], host, port: port ?? 0 };
}

/** `env`, `cwd` and `ready` belong to a managed target only. */
function readStrayManagedKeys(r: Raw, path: string, issues: ConfigIssue[]): undefined {
  for (const k of ['env', 'cwd', 'ready']) {
    if (r[k] !== undefined) issues.push({ path: `${path}.${k}`, message: `applies only to a target mcprun starts: add command: ['node', 'server.js'], or remove ${k}` });
  }
  return undefined;
}

function readManaged(r: Raw, path: string, upstream: ResolvedUpstream, issues: ConfigIssue[], opts: FaultResolveOptions): ResolvedManaged {
  const command = readCommand(r.command, `${path}.command`, issues);
  const env = readEnv(r.env, `${path}.env`, issues);
  const cwd = readCwd(r.cwd, `${path}.cwd`, opts.baseDir ?? process.cwd(), issues);
  let executable = '';
  if (command.length) {
    const pathVar = env.PATH ?? (opts.env ?? process.env).PATH;
    executable = findExecutable(command[0], cwd, pathVar) ?? '';
    if (!executable) {
      const where = command[0].includes('/') ? `there is no executable file ${JSON.stringify(resolve(cwd, command[0]))}` : 'it is not an executable on PATH';
      issues.push({ path: `${path}.command[0]`, message: `${JSON.stringify(command[0])} cannot be started: ${where}. Install it, or write its full path.` });
    }
  }
  let ready: Raw = {};
  if (r.ready !== undefined && (typeof r.ready !== 'object' || r.ready === null || Array.isArray(r.ready))) {
    issues.push({ path: `${path}.ready`, message: `must be an object, e.g. ready: { timeout: '10s', url: '/health' }, received ${describeValue(r.ready)}` });
  } else if (r.ready !== undefined) ready = r.ready as Raw;
  unknownKeys(ready, READY_KEYS, `${path}.ready`, 'ready', issues);
  const readyTimeoutMs = readDuration(ready, 'timeout', `${path}.ready`, issues, { default: DEFAULT_READY_TIMEOUT_MS, allowZero: false });
  return { command, executable, env, cwd, readyTimeoutMs, readyUrl: readReadyUrl(ready.url, `${path}.ready.url`, upstream, issues) };
}

function readCommand(v: unknown, path: string, issues: ConfigIssue[]): string[] {
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') && v[0] !== '') return v as string[];
  const split = typeof v === 'string' && v.trim() ? `; write command: ${JSON.stringify(v.trim().split(/\s+/))} (no shell: one string per argument)` : ": write e.g. command: ['node', 'server.js']";
  issues.push({ path, message: `must be a non-empty array of strings, the program then its arguments, received ${describeValue(v)}${split}` });
  return [];
}

function readEnv(v: unknown, path: string, issues: ConfigIssue[]): Record<string, string> {
  if (v === undefined) return {};
  const bad = typeof v !== 'object' || v === null || Array.isArray(v) ? [''] : Object.keys(v).filter((k) => typeof (v as Raw)[k] !== 'string');
  // Values are never repeated in messages: an environment often holds secrets.
  if (bad.length === 0) return { ...(v as Record<string, string>) };
  const which = bad[0] === '' ? `received ${describeValue(v)}` : `${bad.map((k) => JSON.stringify(k)).join(', ')} ${bad.length > 1 ? 'are' : 'is'} not`;
  issues.push({ path, message: `must be an object of strings, e.g. env: { PORT: '9000' }; ${which}${bad[0] === '' ? '' : ' a string: quote the value'}` });
  return {};
}

function readCwd(v: unknown, path: string, base: string, issues: ConfigIssue[]): string {
  if (v === undefined) return base;
  if (typeof v !== 'string' || v === '') {
    issues.push({ path, message: `must be a folder path, received ${describeValue(v)}` });
    return base;
  }
  const dir = isAbsolute(v) ? v : resolve(base, v);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) issues.push({ path, message: `is not a folder: ${JSON.stringify(dir)} (a relative cwd starts at the scenario file's folder)` });
  return dir;
}

function readReadyUrl(v: unknown, path: string, upstream: ResolvedUpstream, issues: ConfigIssue[]): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v.startsWith('/')) return `http://${upstream.host.includes(':') ? `[${upstream.host}]` : upstream.host}:${upstream.port}${v}`;
  if (typeof v === 'string' && /^http:\/\//.test(v)) {
    try {
      return new URL(v).href;
    } catch {
      // reported below
    }
  }
  issues.push({ path, message: `must be a path on the upstream such as '/health', or an http:// URL, received ${describeValue(v)}` });
  return undefined;
}

function readFault(name: string, r: Raw, targets: readonly ResolvedTarget[], scenarios: readonly ResolvedScenario[], issues: ConfigIssue[]): ResolvedFault | undefined {
  const path = `faults.${name}`;
  const kind = readKind(r.kind, `${path}.kind`, issues);
  const target = readFaultTarget(r.target, `${path}.target`, targets, issues);
  if (!kind) {
    unknownKeys(r, [...FAULT_KEYS, ...new Set(FAULT_KIND_NAMES.flatMap((k) => FAULT_KINDS[k].params))], path, 'a fault', issues);
    return undefined;
  }
  const spec = FAULT_KINDS[kind];
  unknownKeys(r, [...FAULT_KEYS, ...spec.params], path, `a ${kind} fault`, issues);
  checkTargetFits(kind, target, path, issues);
  const rate = readRate(r, kind, path, issues);
  const direction = readDirection(r, kind, path, issues);
  const params = spec.read?.(r, path, issues);
  const placement = readPlacement(r, path, scenarios, issues);
  const durationMs = readFaultDuration(r, kind, path, issues);
  const recovered = readRecovered(r.recovered, `${path}.recovered`, issues);
  checkFaultWindow(name, placement, durationMs, scenarios, issues);
  return {
    name,
    target: target?.name ?? String(r.target),
    kind,
    proxy: params ? { name, params, rate, direction } : undefined,
    placement,
    durationMs,
    recovered,
  };
}

function readKind(v: unknown, path: string, issues: ConfigIssue[]): FaultKind | undefined {
  if (typeof v === 'string' && Object.hasOwn(FAULT_KINDS, v)) return v as FaultKind;
  const near = typeof v === 'string' ? nearestName(v, FAULT_KIND_NAMES) : undefined;
  const problem = v === undefined ? 'is required' : `${describeValue(v)} is not a fault kind`;
  issues.push({ path, message: `${problem}${near ? `; did you mean "${near}"?` : '.'} Kinds: ${FAULT_KIND_NAMES.join(', ')}.` });
  return undefined;
}

function readFaultTarget(v: unknown, path: string, targets: readonly ResolvedTarget[], issues: ConfigIssue[]): ResolvedTarget | undefined {
  const t = typeof v === 'string' ? targets.find((x) => x.name === v) : undefined;
  if (t) return t;
  const names = targets.map((x) => x.name);
  const near = typeof v === 'string' ? nearestName(v, names) : undefined;
  const problem = v === undefined ? 'is required' : `names a target that does not exist: ${describeValue(v)}`;
  const known = names.length ? ` Targets: ${names.join(', ')}.` : " Define it in options.targets, e.g. targets: { api: { upstream: 'http://127.0.0.1:8080' } }.";
  issues.push({ path, message: `${problem}${near ? `; did you mean "${near}"?` : '.'}${known}` });
  return undefined;
}

/** Process faults need a process; HTTP faults need bytes the proxy can read. */
function checkTargetFits(kind: FaultKind, target: ResolvedTarget | undefined, path: string, issues: ConfigIssue[]): void {
  if (!target) return;
  if (!FAULT_KINDS[kind].read && !target.managed) {
    issues.push({ path: `${path}.kind`, message: `"${kind}" acts on a process mcprun starts, and targets.${target.name} has no command: add command (and ready) to it, or use a network fault such as "refuse" or "blackhole"` });
  }
  if (HTTP_FAULT_KINDS.has(kind as never) && !['http', 'ws'].includes(target.upstream.scheme)) {
    issues.push({ path: `${path}.kind`, message: `"${kind}" reads HTTP, and targets.${target.name}.upstream is ${target.upstream.scheme}://: the proxy cannot read inside TLS or raw TCP. Use a network fault such as "reset" or "latency" instead` });
  }
}

function readRate(r: Raw, kind: FaultKind, path: string, issues: ConfigIssue[]): number {
  const v = r.rate;
  if (v === undefined) return 1;
  if (!FAULT_KINDS[kind].rate) {
    const why = kind === 'refuse' ? 'it closes the listening socket, so every new connection is refused; use "reset" for a fraction' : 'it acts on the one target process';
    issues.push({ path: `${path}.rate`, message: `does not apply to "${kind}": ${why}. Remove rate.` });
    return 1;
  }
  const pct = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(v) : null;
  const x = pct ? Number(pct[1]) / 100 : v;
  if (typeof x === 'number' && x > 0 && x <= 1) return x;
  const of = HTTP_FAULT_KINDS.has(kind as never) ? 'requests' : 'connections';
  issues.push({ path: `${path}.rate`, message: `must be the fraction of ${of} affected, more than 0 and at most 1 (0.1 or '10%'), received ${describeValue(v)}` });
  return 1;
}

function readDirection(r: Raw, kind: FaultKind, path: string, issues: ConfigIssue[]): FaultDirection {
  const v = r.direction;
  const def = FAULT_KINDS[kind].direction;
  if (v === undefined) return def ?? 'both';
  if (def === null) {
    issues.push({ path: `${path}.direction`, message: `does not apply to "${kind}". Remove direction.` });
    return 'both';
  }
  if (typeof v === 'string' && (DIRECTIONS as readonly string[]).includes(v)) return v as FaultDirection;
  const near = typeof v === 'string' ? nearestName(v, DIRECTIONS) : undefined;
  issues.push({ path: `${path}.direction`, message: `must be 'upstream' (client to server), 'downstream' (server to client) or 'both', received ${describeValue(v)}${near ? `; did you mean "${near}"?` : ''}` });
  return def;
}

function readPlacement(r: Raw, path: string, scenarios: readonly ResolvedScenario[], issues: ConfigIssue[]): ResolvedFault['placement'] {
  const offsetMs = readDuration(r, 'startTime', path, issues, { default: 0 });
  if (r.after !== undefined && r.during !== undefined) {
    issues.push({ path: `${path}.during`, message: 'cannot be combined with after: a fault is placed after one scenario or during one. Keep one.' });
  }
  for (const type of ['after', 'during'] as const) {
    const v = r[type];
    if (v === undefined) continue;
    const names = scenarios.map((s) => s.name);
    if (typeof v === 'string' && names.includes(v)) return { type, scenario: v, offsetMs };
    const near = typeof v === 'string' ? nearestName(v, names) : undefined;
    issues.push({ path: `${path}.${type}`, message: `must name a scenario, received ${describeValue(v)}${near ? `; did you mean "${near}"?` : '.'} Scenarios: ${names.join(', ')}.` });
  }
  return { type: 'start', offsetMs };
}

function readFaultDuration(r: Raw, kind: FaultKind, path: string, issues: ConfigIssue[]): number | undefined {
  if (kind === 'restart') {
    if (r.duration !== undefined) issues.push({ path: `${path}.duration`, message: 'does not apply to "restart": it stops the target and starts it again at once. Remove duration, or use "kill" to keep it down for a while.' });
    return 0;
  }
  return r.duration === undefined ? undefined : readDuration(r, 'duration', path, issues, { allowZero: false });
}

function readRecovered(v: unknown, path: string, issues: ConfigIssue[]): RecoveryCriteria {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    issues.push({ path, message: `must be an object, e.g. recovered: { failed: 'rate<1%', latency: 'p95<200ms', for: '3s' }, received ${describeValue(v)}` });
    return {};
  }
  const r = v as Raw;
  unknownKeys(r, RECOVERED_KEYS, path, 'recovered', issues);
  const out: RecoveryCriteria = {};
  const failed = readCriterion(r.failed, `${path}.failed`, { name: 'failed', type: 'rate', contains: 'default' }, "'rate<1%'", issues);
  const latency = readCriterion(r.latency, `${path}.latency`, { name: 'latency', type: 'trend', contains: 'time' }, "'p95<200ms'", issues);
  if (failed !== undefined) out.failed = failed;
  if (latency !== undefined) out.latency = latency;
  if (r.for !== undefined) out.forMs = readDuration(r, 'for', path, issues, { allowZero: false });
  return out;
}

/** A threshold expression judged on each window: the failure Rate or the latency Trend. */
function readCriterion(v: unknown, path: string, metric: { name: string; type: 'rate' | 'trend'; contains: 'default' | 'time' }, example: string, issues: ConfigIssue[]): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    issues.push({ path, message: `must be a threshold expression such as ${example}, received ${describeValue(v)}` });
    return undefined;
  }
  try {
    validateThreshold(metric.name, parseThreshold(v), metric, []);
    return v;
  } catch (err) {
    if (!McprunError.is(err)) throw err;
    issues.push({ path, message: `: ${err.message}; write e.g. ${example}` });
    return undefined;
  }
}
