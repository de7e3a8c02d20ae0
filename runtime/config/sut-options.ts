/**
 * `options.sut` and `--sut-pid` / `--sut-metrics`: which system under test the run samples beside
 * the load, resolved once with the rest of the options (every problem in the one list, exit 104).
 * Precedence: `--sut-pid` replaces the scenario's pid, pids or target; `--sut-metrics` replaces
 * its `prometheus` URL (its `series` and `allowRemote` still apply).
 *
 * Shapes only, here: whether a PID exists, a URL is on loopback and a selection names a valid
 * series is checked by runtime/sut/sut-config.ts once the options are resolved, still before any
 * load (it reads /proc). The sut_* metrics are validated as thresholds like any other; a
 * threshold on one in a run that samples no system under test is an issue of its own.
 */
import type { ConfigIssue } from '../executors/types.js';
import { describeValue } from '../executors/option-readers.js';
import { isSutMetric, sutMetricDefinitions, type SeriesSelection } from '../metrics/sut-catalogue.js';
import { nearestName, type ThresholdEntry, type ThresholdMetric } from '../thresholds/index.js';
import type { KnownMetrics } from './thresholds.js';

export interface ResolvedSut {
  /** Local processes sampled from /proc (with their children), as given: checked before load. */
  readonly pids: { readonly values: readonly unknown[]; readonly place: string } | undefined;
  /** A managed target of the run (options.targets) whose process is sampled. */
  readonly target: { readonly name: string; readonly place: string } | undefined;
  readonly prometheus:
    | {
        readonly url: unknown;
        readonly place: string;
        readonly series: readonly SeriesSelection[];
        readonly seriesPlace: string;
        /** Scrape beyond loopback (options.sut.allowRemote). */
        readonly allowRemote: boolean;
      }
    | undefined;
}

/** The CLI's part: --sut-pid (repeatable) and --sut-metrics. */
export interface SutFlags {
  sutPids?: readonly number[];
  sutMetrics?: string;
}

const KEYS = ['pid', 'pids', 'target', 'prometheus', 'series', 'allowRemote'];
const PATH = 'options.sut';

/**
 * `managedTargets`: the names of the run's managed targets (targets with a `command`), or
 * undefined when the run declares none.
 */
export function resolveSut(raw: unknown, flags: SutFlags, issues: ConfigIssue[], managedTargets?: readonly string[]): ResolvedSut | undefined {
  const o = readObject(raw, issues);
  const pids = flags.sutPids?.length ? { values: flags.sutPids, place: '--sut-pid' } : readPids(o, issues);
  const target = flags.sutPids?.length ? undefined : readTarget(o, managedTargets, issues);
  const prometheus = readPrometheus(o, flags.sutMetrics, issues);
  if (!pids && !target && !prometheus) return undefined;
  return { pids, target, prometheus };
}

function readObject(raw: unknown, issues: ConfigIssue[]): Record<string, unknown> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issues.push({ path: PATH, message: `must be an object such as { pid: 1234 }, { target: 'app' } or { prometheus: 'http://127.0.0.1:9464/metrics' }, received ${describeValue(raw)}` });
    return {};
  }
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (KEYS.includes(k)) continue;
    const near = nearestName(k, KEYS);
    issues.push({ path: `${PATH}.${k}`, message: `is not a field of options.sut${near ? `; did you mean "${near}"?` : '.'} Fields: ${KEYS.join(', ')}.` });
  }
  const given = ['pid', 'pids', 'target'].filter((k) => o[k] !== undefined);
  if (given.length > 1) {
    issues.push({ path: PATH, message: `gives ${given.join(' and ')}: name the processes one way (pid: one PID, pids: several, target: a managed target).` });
  }
  return o;
}

function readPids(o: Record<string, unknown>, issues: ConfigIssue[]): ResolvedSut['pids'] {
  if (o.pid !== undefined) return { values: [o.pid], place: `${PATH}.pid` };
  if (o.pids === undefined) return undefined;
  if (!Array.isArray(o.pids) || o.pids.length === 0) {
    issues.push({ path: `${PATH}.pids`, message: `must be a non-empty array of process IDs, e.g. pids: [1234, 1240], received ${describeValue(o.pids)}` });
    return undefined;
  }
  return { values: o.pids, place: `${PATH}.pids` };
}

function readTarget(o: Record<string, unknown>, managed: readonly string[] | undefined, issues: ConfigIssue[]): ResolvedSut['target'] {
  const name = o.target;
  if (name === undefined || o.pid !== undefined || o.pids !== undefined) return undefined;
  const path = `${PATH}.target`;
  if (typeof name !== 'string' || name === '') {
    issues.push({ path, message: `must be the name of a managed target, e.g. target: 'app', received ${describeValue(name)}` });
    return undefined;
  }
  if (!managed?.length) {
    issues.push({
      path,
      message: `names ${JSON.stringify(name)}, but this run has no managed target (a target mcprun starts itself, declared in options.targets with a command). Sample the server by its PID (options.sut.pid or --sut-pid) or its metrics URL (options.sut.prometheus or --sut-metrics) instead.`,
    });
    return undefined;
  }
  if (!managed.includes(name)) {
    const near = nearestName(name, managed);
    issues.push({ path, message: `names ${JSON.stringify(name)}, which is not a managed target of this run${near ? `; did you mean "${near}"?` : '.'} Managed targets: ${managed.join(', ')}.` });
    return undefined;
  }
  return { name, place: path };
}

function readPrometheus(o: Record<string, unknown>, flag: string | undefined, issues: ConfigIssue[]): ResolvedSut['prometheus'] {
  const url = flag ?? o.prometheus;
  const series = readSeries(o.series, issues);
  if (o.allowRemote !== undefined && typeof o.allowRemote !== 'boolean') {
    issues.push({ path: `${PATH}.allowRemote`, message: `must be true or false, received ${describeValue(o.allowRemote)}` });
  }
  if (url === undefined) {
    if (series.length) issues.push({ path: `${PATH}.series`, message: 'selects series of a Prometheus endpoint, but none is given: add prometheus: \'http://127.0.0.1:9464/metrics\' (or --sut-metrics URL).' });
    return undefined;
  }
  if (flag === undefined && typeof url !== 'string') {
    issues.push({ path: `${PATH}.prometheus`, message: `must be the URL of a metrics endpoint, e.g. 'http://127.0.0.1:9464/metrics', received ${describeValue(url)}` });
    return undefined;
  }
  return { url, place: flag !== undefined ? '--sut-metrics' : `${PATH}.prometheus`, series, seriesPlace: `${PATH}.series`, allowRemote: o.allowRemote === true };
}

function readSeries(v: unknown, issues: ConfigIssue[]): SeriesSelection[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'object' || s === null || Array.isArray(s))) {
    issues.push({ path: `${PATH}.series`, message: `must be an array of selections such as { name: 'http_requests_total', labels: { code: '500' }, as: 'rate' }, received ${describeValue(v)}` });
    return [];
  }
  return v as SeriesSelection[];
}

/**
 * The run's metrics for threshold checks, with the sut_* ones (and selected series) added. Without
 * a system under test they are still found, so a threshold on one is checked as written and then
 * told what it lacks (checkSutThresholds), but not listed among the metrics the run has.
 */
export function withSutMetrics(known: KnownMetrics, sut: ResolvedSut | undefined): KnownMetrics {
  const extra = new Map<string, ThresholdMetric>(sutMetricDefinitions(sut?.prometheus?.series).map((d) => [d.name, d]));
  return {
    get: (name) => extra.get(name) ?? known.get(name),
    all: () => (sut ? [...known.all().filter((d) => !extra.has(d.name)), ...extra.values()] : known.all()),
  };
}

/** A threshold on a sut_* metric needs a system under test to measure it. */
export function checkSutThresholds(entries: readonly ThresholdEntry[], sut: ResolvedSut | undefined, issues: ConfigIssue[]): boolean {
  if (sut) return true;
  const paths = new Set(entries.filter((e) => isSutMetric(e.metric)).map((e) => `${e.filter.scenario ? `scenarios.${e.filter.scenario}` : 'options'}.thresholds.${e.metric}`));
  for (const path of paths) {
    issues.push({
      path,
      message: `is a measurement of the system under test, and this run samples none: add options.sut ({ pid }, { pids }, { target } or { prometheus }) or run with --sut-pid PID / --sut-metrics URL.`,
    });
  }
  return paths.size === 0;
}
