/**
 * `run()`: the whole test, from scenario file to exit code. The CLI calls it; library users import
 * it from 'mcprun/runtime'. Order matters and is the contract: everything that can be checked
 * before load (compile, options, thresholds, exports) is checked first, so an invalid run sends
 * nothing; once load has started, whatever was measured is summarised and written, whatever stops it.
 */
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Writable } from 'node:stream';
import { bundleScenario, type Bundle } from '../bundle/bundle.js';
import { releasePrespawned } from './prespawn.js';
import { RUNTIME_BUNDLE } from '../paths.js';
import { resolveConfig, parseStageFlag, type CliOverrides, type ResolvedConfig } from '../config/resolve.js';
import { McprunError } from '../errors.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { executorOf } from '../executors/registry.js';
import { MetricAggregate } from '../metrics/aggregate.js';
import { realmRegistry } from '../metrics/registry.js';
import { formatMs } from '../output/format.js';
import { createProgress } from '../output/progress.js';
import {
  buildMetrics,
  buildRootGroup,
  encodeTrendHistograms,
  scenarioSummary,
  thresholdSummaries,
  type SummaryData,
} from '../output/summary-data.js';
import { textSummary } from '../output/text-summary.js';
import type { Output, OutputContext } from '../output/output.js';
import { createOutputs } from '../output/outputs.js';
import type { IterationErrorReport, WorkerMessage, WorkerPlan } from '../worker-protocol.js';
import { ScenarioSchedule, type Phase } from './scenario-schedule.js';
import { ThresholdEngine, type ThresholdVerdict } from './threshold-engine.js';
import { WorkerPool, WORKER_START_TIMEOUT_MS } from './worker-pool.js';
import { preparePool } from './fd-limit.js';
import type { Tags } from '../metrics/types.js';
import { VERSION } from '../version.js';
import { userFrame } from '../stack-location.js';
import { DELAY_WARN_P99_MS, UTILIZATION_WARN } from '../metrics/generator-health.js';

export interface RunOptions {
  /** Path of the scenario file (.ts or .js). */
  script: string;
  vus?: number;
  duration?: string;
  iterations?: number;
  /** `--stage 30s:100`, repeatable. */
  stages?: string[];
  /** `-e KEY=VALUE` values: override the process environment inside the scenario. */
  env?: Record<string, string>;
  /** Worker threads. @default the CPU count, but never more than the VUs can use */
  workers?: number;
  summaryExport?: string;
  quiet?: boolean;
  color?: boolean;
  progress?: boolean;
  verbose?: boolean;
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable & { isTTY?: boolean };
  /** Aborting it stops the run like Ctrl-C (graceful); aborting `hardSignal` skips the graceful wait. */
  signal?: AbortSignal;
  hardSignal?: AbortSignal;
  /** How often workers post metric snapshots (also the time-series interval, `--interval`). @default 1000 */
  flushIntervalMs?: number;
  /** `--out json=FILE[,raw]`, `--out csv=FILE`, repeatable. */
  out?: string[];
  /** `--report-dir [DIR]`: results folder with summary.json, report.html, report.md, junit.xml, timeseries.csv. */
  reportDir?: string;
  /** `--junit FILE`. */
  junit?: string;
  /** `--metrics-addr 127.0.0.1:9464`: Prometheus text exposition during the run. */
  metricsAddr?: string;
  /** `--pool threads|processes`. @default 'threads' */
  pool?: 'threads' | 'processes';
  /** `--local-ips 127.0.0.2-127.0.0.9,127.0.1.1`: source addresses spread round-robin over connections. */
  localIps?: string;
  /** Keep going with the remaining workers when one dies. */
  continueOnWorkerError?: boolean;
}

export interface RunResult {
  exitCode: ExitCode;
  summary: SummaryData | undefined;
  error?: Error;
}

const THRESHOLD_EVAL_EVERY_MS = 2000;
const SHUTDOWN_TIMEOUT_MS = 10_000;
const LAG_WARN_P99_MS = 10;

export async function run(opts: RunOptions): Promise<RunResult> {
  const stderr = opts.stderr ?? process.stderr;
  let bundle: Bundle | undefined;
  const restoreEnv = applyEnv(opts.env ?? {});
  try {
    const cli = cliOverrides(opts);
    // The scenario imports the runtime bundle; load it while esbuild (another process) bundles.
    void import(pathToFileURL(RUNTIME_BUNDLE).href).catch(() => {});
    bundle = await bundleScenario(opts.script);
    const mod = await importScenario(bundle.path, opts.script);
    const config = resolveConfig(mod.options, cli, basename(opts.script), realmRegistry);
    checkExports(mod, config, opts.script);
    const thresholds = new ThresholdEngine(config.thresholds, realmRegistry);
    const outputs = createOutputs(opts, mod);
    return await execute(opts, config, thresholds, bundle.path, outputs);
  } catch (err) {
    return { exitCode: reportError(err, stderr, opts.verbose ?? false), summary: undefined, error: err as Error };
  } finally {
    releasePrespawned();
    bundle?.dispose();
    restoreEnv();
  }
}

function cliOverrides(opts: RunOptions): CliOverrides {
  const c: CliOverrides = {};
  if (opts.vus !== undefined) c.vus = opts.vus;
  if (opts.duration !== undefined) c.duration = opts.duration;
  if (opts.iterations !== undefined) c.iterations = opts.iterations;
  if (opts.stages?.length) c.stages = opts.stages.map(parseStageFlag);
  return c;
}

/** `-e` values are visible to the scenario's top-level code too (it computes `options` from them). */
function applyEnv(env: Record<string, string>): () => void {
  const before: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    before[k] = process.env[k];
    process.env[k] = v;
  }
  const g = globalThis as Record<string, unknown>;
  const prevEnvGlobal = g.__ENV;
  g.__ENV = { ...process.env };
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    g.__ENV = prevEnvGlobal;
  };
}

async function importScenario(path: string, script: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    if (McprunError.is(err)) throw err;
    const e = err as Error;
    throw new McprunError('MCPRUN_SCRIPT_EXCEPTION', `the scenario threw while loading (${script}): ${e?.name ?? 'Error'}: ${e?.message ?? String(err)}${locationOf(e)}.`, {
      hint: 'Top-level code runs once per worker to read options; keep it to declarations.',
      cause: err,
    });
  }
}

function checkExports(mod: Record<string, unknown>, config: ResolvedConfig, script: string): void {
  const fns = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
  for (const s of config.scenarios) {
    const fn = mod[s.exec];
    if (typeof fn === 'function') continue;
    const what = s.exec === 'default' ? 'a default export' : `an export named "${s.exec}"`;
    throw new McprunError(
      'MCPRUN_SCRIPT_EXPORT',
      `${script} has no function for scenario "${s.name}": expected ${what} that is a function${fn === undefined ? '' : `, found ${describeExport(fn)}`}.`,
      {
        hint: s.exec === 'default'
          ? 'Add `export default async function (vu, data) { ... }`.'
          : `Export it (\`export async function ${s.exec}(vu, data) { ... }\`)${fns.length ? ` or set exec to one of: ${fns.join(', ')}` : ''}.`,
      },
    );
  }
  for (const hook of ['setup', 'teardown']) {
    if (mod[hook] !== undefined && typeof mod[hook] !== 'function') {
      throw new McprunError('MCPRUN_SCRIPT_EXPORT', `${script} exports "${hook}" but it is ${describeExport(mod[hook])}, not a function.`, { hint: `Write \`export async function ${hook}() { ... }\`.` });
    }
  }
}

function describeExport(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function workerCountFor(opts: RunOptions, config: ResolvedConfig): number {
  if (opts.workers !== undefined && (!Number.isInteger(opts.workers) || opts.workers < 1)) {
    throw new McprunError('MCPRUN_CLI', `invalid --workers ${JSON.stringify(opts.workers)}: expected a whole number >= 1, e.g. --workers 2.`);
  }
  const maxVus = Math.max(1, ...config.scenarios.map((s) => (executorOf(s).maxVUs as (x: typeof s) => number)(s)));
  // A worker without a VU would only cost start-up time.
  return Math.max(1, Math.min(opts.workers ?? availableParallelism(), maxVus));
}

async function execute(opts: RunOptions, config: ResolvedConfig, thresholds: ThresholdEngine, bundlePath: string, outputs: Output[]): Promise<RunResult> {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const W = workerCountFor(opts, config);
  // --pool, --local-ips and the open-file limit: checked before any output or worker starts (exit 104).
  const poolPlan = await preparePool(config.scenarios, W, opts.pool, opts.localIps);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  const plans: WorkerPlan[] = Array.from({ length: W }, (_, i) => ({
    workerIndex: i,
    workerCount: W,
    bundlePath,
    scenarios: config.scenarios,
    http: config.http,
    env,
    flushIntervalMs: opts.flushIntervalMs ?? 1000,
    pool: poolPlan.pool,
    localIps: poolPlan.localIps,
  }));

  const startedAt = new Date();
  const agg = new MetricAggregate((n) => realmRegistry.get(n));
  const errors = new Map<string, number>();
  let schedule: ScenarioSchedule | undefined;
  const epochOf = (t: number) => (t ? performance.timeOrigin + t : 0);
  const outputCtx: OutputContext = {
    script: opts.script,
    startedAt,
    scenarios: config.scenarios,
    workers: W,
    metric: (n) => realmRegistry.get(n),
    aggregate: agg,
    phases: () =>
      (schedule?.phases ?? []).map((p) => ({ name: p.scenario.name, state: p.state, startedAt: epochOf(p.startedAt), endedAt: epochOf(p.endedAt) })),
    env: maskSecrets(opts.env ?? {}),
    stdout,
    stderr,
  };
  // Outputs start before any worker exists: a bad --out path or a busy --metrics-addr sends nothing.
  for (const o of outputs) {
    try {
      await o.start?.(outputCtx);
    } catch (err) {
      throw McprunError.is(err) ? err : new McprunError('MCPRUN_CONFIG', `output ${o.name} could not start: ${(err as Error).message}.`);
    }
  }
  const pool = new WorkerPool(plans, env);
  // Workers started at launch that this run does not need (fewer VUs than CPUs, --pool processes).
  releasePrespawned();
  let vusNow = 0;
  const vusByWorker = new Map<number, number>();
  let reqsSeen = 0;
  let reqRate = 0;
  let lastRateAt = performance.now();
  pool.onMessage((m: WorkerMessage) => {
    if (m.type !== 'metrics') return;
    agg.merge(m.workerIndex, m.snapshot);
    for (const o of outputs) o.snapshot?.(m.workerIndex, m.snapshot);
    vusByWorker.set(m.workerIndex, m.vus);
    vusNow = [...vusByWorker.values()].reduce((a, b) => a + b, 0);
    for (const e of m.errors) errors.set(e.message, (errors.get(e.message) ?? 0) + e.count);
  });

  let aborted: string | null = null;
  let exitOverride: ExitCode | undefined;
  let workerFailure: Error | undefined;
  const workerWarnings: string[] = [];
  let setupData: unknown;
  const cleanups: Array<() => void> = [];

  const stopAll = (graceful: boolean) => {
    schedule?.stop();
    pool.broadcast({ type: 'stop', graceful });
  };

  try {
    // 1. Workers import the bundle.
    await Promise.all(
      pool.workers.map((w) =>
        pool.waitFor(
          (m): m is Extract<WorkerMessage, { type: 'ready' | 'fatal' }> => (m.type === 'ready' || m.type === 'fatal') && m.workerIndex === w.index,
          WORKER_START_TIMEOUT_MS,
          `worker ${w.index} start`,
          w.index,
        ).then((m) => {
          if (m.type === 'fatal') throw scriptError('loading', w.lastError);
          w.state = 'ready';
        }),
      ),
    );

    // 2. setup() on worker 0; its result is copied to every worker.
    pool.workers[0].send({ type: 'setup', timeoutMs: config.setupTimeoutMs });
    const setupMsg = await pool.waitFor(
      (m): m is Extract<WorkerMessage, { type: 'setup-done' | 'fatal' }> => m.type === 'setup-done' || (m.type === 'fatal' && m.phase === 'setup'),
      config.setupTimeoutMs + 5000,
      'setup()',
      0,
    );
    if (setupMsg.type === 'fatal') throw scriptError('setup()', pool.workers[0].lastError);
    setupData = setupMsg.data;

    // 3. Scenarios, in phases.
    const progress = createProgress(stderr, { enabled: !(opts.quiet ?? false) && (opts.progress ?? true), tty: Boolean(stderr.isTTY) });
    const testStart = performance.now();
    schedule = new ScenarioSchedule(config.scenarios, W, (p: Phase) => pool.broadcast({ type: 'start-scenario', name: p.scenario.name, data: setupData }), () => performance.now());
    const sched = schedule;
    pool.onMessage((m) => {
      if (m.type === 'scenario-done') sched.workerDone(m.name, m.workerIndex);
    });
    // A worker that dies (crash, out of memory, process.exit in user code) or reports a failure of
    // the runtime stops the run with what was measured (exit 106), or, with
    // --continue-on-worker-error, the others go on without it.
    const lost = new Set<number>();
    const workerLost = (index: number, why: string) => {
      if (lost.has(index)) return;
      lost.add(index);
      const err = new McprunError('MCPRUN_WORKER', `worker ${index} ${why}`);
      sched.workerLost(index);
      if (opts.continueOnWorkerError) {
        workerWarnings.push(`${err.message}; the run went on with the other workers (--continue-on-worker-error), so its share of the load is missing from that moment on.`);
        if (lost.size === W) {
          workerFailure ??= err;
          stopAll(false);
        }
        return;
      }
      workerFailure ??= err;
      stderr.write(`mcprun: ${err.message}; stopping the run and reporting what was measured.\n`);
      stopAll(false);
    };
    pool.onExit((index, code, error) => {
      const w = pool.workers[index];
      if (w.state === 'stopping' || w.state === 'stopped') return;
      workerLost(index, `died (exit code ${code})${error ? `: ${error.message}` : ''}`);
    });
    pool.onMessage((m) => {
      if (m.type === 'fatal' && m.phase === 'run') {
        pool.workers[m.workerIndex].state = 'failed';
        void pool.workers[m.workerIndex].terminate();
        workerLost(m.workerIndex, `failed: ${m.error.name}: ${m.error.message}`);
      }
    });

    // Ctrl-C / programmatic abort: first graceful, second immediate.
    const onAbort = () => {
      aborted ??= 'stopped from outside (SIGINT/SIGTERM)';
      stopAll(true);
    };
    const onHard = () => {
      aborted ??= 'stopped from outside (SIGINT/SIGTERM)';
      stopAll(false);
    };
    if (opts.signal) {
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => opts.signal!.removeEventListener('abort', onAbort));
    }
    if (opts.hardSignal) {
      opts.hardSignal.addEventListener('abort', onHard, { once: true });
      cleanups.push(() => opts.hardSignal!.removeEventListener('abort', onHard));
    }

    const elapsedFor = (filter: Tags): number => {
      const p = filter.scenario ? sched.phases.find((x) => x.scenario.name === filter.scenario) : undefined;
      if (p) return p.startedAt ? ((p.endedAt || performance.now()) - p.startedAt) / 1000 : 0;
      return (performance.now() - sched.firstStart) / 1000;
    };
    const abortable = thresholds.entries.some((e) => e.abortOnFail);
    const evalTimer = setInterval(() => {
      if (!abortable || aborted) return;
      const runFor = performance.now() - testStart;
      const failed = thresholds.evaluate(agg, elapsedFor, (e) => e.abortOnFail && runFor >= e.delayAbortEvalMs).find((v) => !v.ok && !v.noData);
      if (failed) {
        aborted = `threshold ${failed.entry.key}: '${failed.entry.source}' failed with abortOnFail`;
        exitOverride = EXIT_CODES.THRESHOLD_ABORT;
        stopAll(false);
      }
    }, THRESHOLD_EVAL_EVERY_MS);
    cleanups.push(() => clearInterval(evalTimer));

    const progressTimer = setInterval(() => {
      const now = performance.now();
      const reqs = agg.view('http_reqs').count + agg.view('mcp_reqs').count;
      if (now - lastRateAt >= 900) {
        reqRate = ((reqs - reqsSeen) * 1000) / (now - lastRateAt);
        reqsSeen = reqs;
        lastRateAt = now;
      }
      progress.update({
        elapsedMs: now - testStart,
        vus: vusNow,
        reqRate,
        errors: agg.view('http_req_failed').passes + agg.view('mcp_req_failed').passes + agg.view('iteration_errors').count,
        scenarios: sched.phases.map((p) => ({
          name: p.scenario.name,
          state: p.state === 'skipped' ? 'done' : p.state,
          elapsedMs: p.startedAt ? (p.endedAt || now) - p.startedAt : 0,
          plannedMs: (executorOf(p.scenario).plannedDurationMs as (s: typeof p.scenario) => number | undefined)(p.scenario),
          iterations: agg.view('iterations', { scenario: p.scenario.name }).count,
        })),
      });
    }, stderr.isTTY ? 200 : 1000);
    cleanups.push(() => {
      clearInterval(progressTimer);
      progress.stop();
    });

    sched.begin();
    await sched.allDone;
    cleanups.splice(0).forEach((c) => c());

    // 4. teardown(data) on worker 0, also after an abort (not after a crash of worker 0).
    if (pool.workers[0].state === 'ready') {
      pool.workers[0].send({ type: 'teardown', data: setupData, timeoutMs: config.teardownTimeoutMs });
      const td = await pool
        .waitFor(
          (m): m is Extract<WorkerMessage, { type: 'teardown-done' | 'fatal' }> => m.type === 'teardown-done' || (m.type === 'fatal' && m.phase === 'teardown'),
          config.teardownTimeoutMs + 5000,
          'teardown()',
          0,
        )
        .catch((err: Error) => ({ type: 'fatal' as const, err }));
      if (td.type === 'fatal') {
        const e = 'err' in td ? td.err : scriptError('teardown()', pool.workers[0].lastError);
        stderr.write(`mcprun: ${McprunError.is(e) ? e.userMessage : e.message}\n`);
        exitOverride ??= EXIT_CODES.SCRIPT_ERROR;
      }
    }

    // 5. Final metrics from every worker, then end them.
    const summary = await finish(pool, agg, sched, thresholds, config, errors, opts, startedAt, W, aborted, workerFailure, exitOverride, elapsedFor, workerWarnings, outputs.some((o) => o.replacesStdoutSummary));
    for (const o of outputs) {
      try {
        await o.end?.(summary);
      } catch (err) {
        stderr.write(`mcprun: output ${o.name} failed: ${(err as Error).message}\n`);
      }
    }
    return { exitCode: summary.mcprun.exitCode as ExitCode, summary };
  } catch (err) {
    cleanups.forEach((c) => c());
    stopAll(false);
    // Load may have been sent (setup failed after requests, say): report what was measured.
    if (schedule && agg.series.size && !McprunError.is(err)) {
      stderr.write(`mcprun: ${(err as Error).message}\n`);
    }
    throw err;
  } finally {
    await pool.terminateAll();
  }
}

async function finish(
  pool: WorkerPool,
  agg: MetricAggregate,
  sched: ScenarioSchedule,
  thresholds: ThresholdEngine,
  config: ResolvedConfig,
  errors: Map<string, number>,
  opts: RunOptions,
  startedAt: Date,
  W: number,
  aborted: string | null,
  workerFailure: Error | undefined,
  exitOverride: ExitCode | undefined,
  elapsedFor: (f: Tags) => number,
  workerWarnings: string[],
  stdoutSummaryReplaced = false,
): Promise<SummaryData> {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const live = pool.workers.filter((w) => w.state === 'ready');
  for (const w of live) {
    w.state = 'stopping';
    w.send({ type: 'shutdown' });
  }
  await Promise.all(
    live.map((w) =>
      pool
        .waitFor((m): m is Extract<WorkerMessage, { type: 'shutdown-done' }> => m.type === 'shutdown-done' && m.workerIndex === w.index, SHUTDOWN_TIMEOUT_MS, `worker ${w.index} shutdown`, w.index)
        .then(() => (w.state = 'stopped'))
        .catch(() => {
          stderr.write(`mcprun: [mcprun:pool] worker ${w.index} did not shut down within ${SHUTDOWN_TIMEOUT_MS / 1000}s; its last interval of metrics may be missing.\n`);
        }),
    ),
  );

  // A run stopped before any scenario started ran for 0 ms, not a negative time.
  const testRunDurationMs = Math.max(0, sched.lastEnd - sched.firstStart);
  agg.elapsedSeconds = testRunDurationMs / 1000;
  const verdicts: ThresholdVerdict[] = thresholds.evaluate(agg, (f) => (f.scenario ? elapsedFor(f) : agg.elapsedSeconds));
  const failed = verdicts.some((v) => !v.ok);
  let exitCode: ExitCode = failed ? EXIT_CODES.THRESHOLDS_FAILED : EXIT_CODES.OK;
  if (workerFailure) exitCode = EXIT_CODES.WORKER_FAILED;
  else if (exitOverride !== undefined) exitCode = exitOverride;
  else if (aborted) exitCode = EXIT_CODES.EXTERNAL_ABORT;

  const warnings: string[] = [...workerWarnings];
  if (workerFailure) warnings.push(`${McprunError.is(workerFailure) ? workerFailure.userMessage : workerFailure.message}; the results below are partial.`);
  const delay = agg.view('mcprun_event_loop_delay');
  const busy = agg.view('mcprun_event_loop_utilization');
  if ((delay.count && delay.percentile(99) > DELAY_WARN_P99_MS) || (busy.count && busy.max > UTILIZATION_WARN)) {
    warnings.push(
      `the load generator was saturated (event-loop delay p(99)=${formatMs(delay.percentile(99))}, busiest interval ${Math.round(busy.max * 100)}% of a worker's time): latency figures include generator delay. Add workers (--workers), use --pool processes, or lower the load.`,
    );
  }
  for (const p of sched.phases) {
    const f = { scenario: p.scenario.name };
    const dropped = agg.view('dropped_iterations', f).count;
    if (dropped) {
      const s = p.scenario as { maxVUs?: number };
      warnings.push(`${dropped} iterations of scenario "${p.scenario.name}" were dropped: all ${s.maxVUs ?? '?'} maxVUs were busy when they were due. Raise maxVUs (VUs are cheap async loops) or lower the rate.`);
    }
    const lag = agg.view('iteration_lag', f);
    if (lag.count && lag.percentile(99) > LAG_WARN_P99_MS) {
      warnings.push(`the load generator fell behind in scenario "${p.scenario.name}": iteration_lag p(99)=${formatMs(lag.percentile(99))} (> ${LAG_WARN_P99_MS}ms). Latency figures include generator delay; add workers or lower the rate.`);
    }
    if (p.state === 'skipped') warnings.push(`scenario "${p.scenario.name}" did not start (the run was stopped first).`);
  }
  const errorList: IterationErrorReport[] = [...errors].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count);

  const summary: SummaryData = {
    state: { isStdOutTTY: Boolean(stdout.isTTY), isStdErrTTY: Boolean(stderr.isTTY), testRunDurationMs },
    options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'] },
    metrics: buildMetrics(agg, (n) => realmRegistry.get(n), verdicts),
    root_group: buildRootGroup(agg),
    mcprun: {
      version: VERSION,
      script: opts.script,
      startedAt: startedAt.toISOString(),
      exitCode,
      aborted,
      thresholds: thresholdSummaries(verdicts),
      scenarios: sched.phases.map((p) =>
        scenarioSummary(
          p.scenario,
          (executorOf(p.scenario).describe as (s: typeof p.scenario) => string)(p.scenario),
          p.startedAt ? (p.endedAt || sched.lastEnd) - p.startedAt : 0,
          agg,
          verdicts,
        ),
      ),
      histograms: encodeTrendHistograms(agg),
      errors: errorList,
      warnings,
      workers: W,
    },
  };

  if (!opts.quiet && !stdoutSummaryReplaced) {
    const color = opts.color ?? (Boolean(stdout.isTTY) && !process.env.NO_COLOR);
    stdout.write(`\n${textSummary(summary, { enableColors: color })}`);
  }
  if (opts.summaryExport) {
    try {
      writeFileSync(opts.summaryExport, JSON.stringify(summary, null, 2));
    } catch (err) {
      stderr.write(`mcprun: could not write --summary-export ${opts.summaryExport}: ${(err as Error).message}\n`);
    }
  }
  return summary;
}

function scriptError(where: string, err: Error | undefined): McprunError {
  if (err && McprunError.is(err)) return err;
  const msg = err ? `${err.name}: ${err.message}` : 'unknown error';
  return new McprunError('MCPRUN_SCRIPT_EXCEPTION', `the scenario threw in ${where}: ${msg}${locationOf(err)}.`);
}

/** " (at scenario.ts:12:7)" when the stack has a frame in the user's code. */
function locationOf(err: Error | undefined): string {
  const where = userFrame(err?.stack);
  return where ? ` (at ${where})` : '';
}

const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL/i;

/** -e values whose names look like secrets never reach reports or logs. */
export function maskSecrets(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[k] = SECRET_NAME.test(k) ? '***' : v;
  return out;
}

/** One paragraph on stderr; the stack only with --verbose. Returns the exit code. */
export function reportError(err: unknown, stderr: Writable, verbose: boolean): ExitCode {
  if (McprunError.is(err)) {
    stderr.write(`mcprun: ${err.userMessage}\n`);
    if (verbose && err.stack) stderr.write(`${err.stack}\n`);
    // The scenario's own error (a top-level throw): its stack is the one the user needs.
    if (verbose && err.cause instanceof Error && err.cause.stack) stderr.write(`Caused by: ${err.cause.stack}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  stderr.write(`mcprun: internal error: ${e?.message ?? String(err)}. This is a bug in mcprun; please report it with the output of --verbose.\n`);
  if (verbose && e?.stack) stderr.write(`${e.stack}\n`);
  return EXIT_CODES.INTERNAL;
}
