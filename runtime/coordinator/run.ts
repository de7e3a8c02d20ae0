/**
 * `run()`: the whole test, from scenario file to exit code. The CLI calls it; library users import
 * it from 'mcprun/runtime'. Order matters and is the contract: everything that can be checked
 * before load (compile, options, thresholds, exports, outputs, workers, open files) is checked
 * first, so an invalid run sends nothing; once load has started, whatever was measured is
 * summarised and written, whatever stops it. Each step is a module of its own; this file only
 * wires them, in the order they happen.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DEFAULT_FLUSH_INTERVAL_MS, type RunOptions } from '../config/run-options.js';
import { McprunError } from '../errors.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { realmRegistry } from '../metrics/registry.js';
import { reportError } from '../output/error-report.js';
import { formatMs } from '../output/format.js';
import { maskedStream, maskSecrets, maskText, setSecrets } from '../output/mask-secrets.js';
import { pathProblem } from '../output/output-path.js';
import type { Output, OutputContext } from '../output/output.js';
import type { HandleSummary } from '../output/handle-summary-output.js';
import { createOutputs, endOutputs, endSummaryOutputs } from '../output/outputs.js';
import { createProgress } from '../output/progress.js';
import type { SummaryData } from '../output/summary-data.js';
import { prepareSut, type SutRun } from '../sut/sut-run.js';
import { prepareFaults, type FaultRun } from '../faults/fault-run.js';
import { targetLogDir } from './target-logs.js';
import type { SutWarning } from '../sut/types.js';
import { watchSignals, watchThresholds, watchWorkers } from './abort-watch.js';
import { prepareBaseline, type Baseline } from './baseline.js';
import { capacityGate } from './capacity-gate.js';
import { preparePool, type PoolPlan } from './fd-limit.js';
import { connectDashboard, lingerStop, RunControl } from './control.js';
import { emptySummary, evaluateNow, judge, type RunRecord } from './judge.js';
import { isolatedHandleSummary } from './isolated-script.js';
import { loadScenario, scriptEnv, type LoadedScenario } from './load.js';
import { LoadControl } from './load-control.js';
import { MetricFeed } from './metric-feed.js';
import { faultParticipant, outputParticipant, startParticipants, stopParticipants, sutParticipant, type RunParticipant } from './participants.js';
import { planRun, workerPlans, type RunPlan } from './plan.js';
import { releasePrespawned } from './prespawn.js';
import { feedProgress } from './progress-feed.js';
import { OUTSIDE_STOP, RunState } from './run-state.js';
import { ScenarioSchedule } from './scenario-schedule.js';
import { StopSignals } from './stop-signals.js';
import { watchStuckWorkers } from './stuck-workers.js';
import { runScenarios, runSetup, runTeardown, shutdownWorkers, workersReady, type PhaseContext } from './worker-phases.js';
import { WorkerPool } from './worker-pool.js';
import { fingerprintOf } from './instances/fingerprint.js';
import { InstanceHub } from './instances/hub.js';
import { runInstance } from './instances/instance-run.js';
import { START_LEAD_MS } from './instances/protocol.js';
import { instanceRole } from './instances/role.js';
import { localPlan, planInstances } from './instances/shares.js';

export type { RunOptions };

export interface RunResult {
  exitCode: ExitCode;
  summary: SummaryData | undefined;
  error?: Error;
}

export async function run(given: RunOptions): Promise<RunResult> {
  // Secret values never leave mcprun: masked in every stream and file from here on (mask-secrets.ts).
  const dashboardToken = given.dashboardToken ?? process.env.MCPRUN_DASHBOARD_TOKEN;
  setSecrets({ ...scriptEnv(given.env ?? {}), ...(dashboardToken ? { MCPRUN_DASHBOARD_TOKEN: dashboardToken } : {}) }, given.env ?? {});
  const opts: RunOptions = { ...given, stdout: maskedStream(given.stdout ?? process.stdout), stderr: maskedStream(given.stderr ?? process.stderr) };
  const stops = new StopSignals(opts.signal, opts.hardSignal);
  const startedAt = new Date();
  // Many instances (instances/): the others run their share and exit with the code this one gives them.
  const instances: { hub?: InstanceHub } = {};
  const result = await runHere(opts, stops, startedAt, instances);
  instances.hub?.end(result.exitCode, result.summary?.mcprun.aborted ?? (result.error ? maskText(result.error.message) : null));
  return result;
}

async function runHere(opts: RunOptions, stops: StopSignals, startedAt: Date, instances: { hub?: InstanceHub }): Promise<RunResult> {
  let scenario: LoadedScenario | undefined;
  try {
    const role = instanceRole(opts);
    if (role && role.index > 0) return { exitCode: (await runInstance(opts, role, stops)) as ExitCode, summary: undefined };
    scenario = await loadScenario(opts, stops, (opts.pool ?? 'threads') === 'threads');
    // The system under test's PIDs and URL: checked before anything starts (exit 104).
    const outputs0: Output[] = [];
    const faults = prepareFaults(scenario.config.faults, realmRegistry, () => targetLogDir(outputs0), opts.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    const sut = prepareSut(scenario.config.sut, realmRegistry, Math.max(DEFAULT_FLUSH_INTERVAL_MS, opts.flushIntervalMs ?? 0), faults && ((name) => faults.pidsOf(name)));
    const outputs = createOutputs(opts, { kind: scenario.exports.handleSummary, run: isolatedHandleSummary(scenario.bundle.path, scenario.env, opts.script, stops) as HandleSummary });
    outputs0.push(...outputs);
    const plan = role ? planInstances(scenario.config.scenarios, opts.workers, availableParallelism(), role.instances) : planRun(scenario.config.scenarios, opts.workers, availableParallelism());
    // --pool, --local-ips and the open-file limit: checked before any output or worker starts (exit 104).
    const pool = await preparePool(role ? localPlan(plan, role.instances) : plan, opts.pool, opts.localIps);
    // --baseline and --max-regression: read and checked before any load (exit 104).
    const baseline = prepareBaseline(opts.baseline, opts.maxRegression);
    // Every other instance admitted (same version and scenario, each index once) before any output starts.
    if (role) {
      instances.hub = new InstanceHub(role, fingerprintOf(scenario.bundle.path, scenario.config), opts.stderr ?? process.stderr);
      await instances.hub.gather(stops);
    }
    return await runLoad(new RunParts(opts, scenario, plan, outputs, sut, stops, startedAt, baseline, faults, instances.hub), pool);
  } catch (err) {
    // Ctrl-C while the scenario's top-level code ran: no load was sent, and the outputs say so.
    if (McprunError.is(err) && err.mcprunCode === 'MCPRUN_STOPPED') return stoppedBeforeLoad(opts, err, startedAt);
    return { exitCode: reportError(err, opts.stderr ?? process.stderr, opts.verbose ?? false), summary: undefined, error: err as Error };
  } finally {
    releasePrespawned();
    scenario?.bundle.dispose();
  }
}

/** Stopped while the scenario's top-level code ran (a top-level await that never settles): exit 105, and the summary says no load was sent. */
async function stoppedBeforeLoad(opts: RunOptions, err: McprunError, startedAt: Date): Promise<RunResult> {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  stderr.write(`mcprun: ${err.message}; no load was sent.\n`);
  const summary = emptySummary(opts.script, startedAt, EXIT_CODES.EXTERNAL_ABORT, OUTSIDE_STOP, { stdout: Boolean(stdout.isTTY), stderr: Boolean(stderr.isTTY) });
  await endSummaryOutputs(opts, summary, { stdout, stderr });
  return { exitCode: EXIT_CODES.EXTERNAL_ABORT, summary };
}

/** What a run is made of once it is known to be valid; nothing here has started yet. */
class RunParts {
  readonly stdout: NonNullable<RunOptions['stdout']>;
  readonly stderr: NonNullable<RunOptions['stderr']>;
  readonly schedule: ScenarioSchedule;
  readonly participants: RunParticipant[];
  readonly feed: MetricFeed;
  readonly state = new RunState();
  readonly control: RunControl;

  constructor(
    readonly opts: RunOptions,
    readonly scenario: LoadedScenario,
    readonly plan: RunPlan,
    readonly outputs: Output[],
    readonly sut: SutRun | undefined,
    readonly stops: StopSignals,
    readonly startedAt: Date,
    readonly baseline: Baseline | undefined,
    readonly faults: FaultRun | undefined,
    readonly hub?: InstanceHub,
  ) {
    this.stdout = opts.stdout ?? process.stdout;
    this.stderr = opts.stderr ?? process.stderr;
    this.schedule = new ScenarioSchedule(scenario.config.scenarios, plan.workers, () => performance.now());
    if (hub) this.schedule.startLeadMs = START_LEAD_MS;
    // Outputs first: they are started when the sampler's first snapshot (taken at its start) arrives.
    this.participants = outputs.map(outputParticipant);
    // Managed targets before the sampler: options.sut: { target } samples their process.
    if (faults) this.participants.push(faultParticipant(faults, { ingest: (source, snap) => this.feed.ingest(source, snap), warn: (text) => this.warning(text) }));
    if (sut) this.participants.push(sutParticipant(sut, { ingest: (source, snap) => this.feed.ingest(source, snap), warn: (w) => this.sutWarning(w) }));
    // Once per distinct message for the whole run; the summary gives each one's total.
    this.feed = new MetricFeed(
      this.participants,
      (message) => this.stderr.write(`mcprun: iteration error: ${message}\n`),
      // The scenario's code left a promise pending (sleep() without await): in the summary and on stderr.
      (message) => {
        this.state.warnings.push(`${message}.`);
        this.stderr.write(`mcprun: warning: ${message}.\n`);
      },
    );
    this.schedule.gate = capacityGate(scenario.config, this.feed, this.schedule);
    this.control = new RunControl(this.schedule, this.state, opts.pool === 'processes' ? plan.workers : 1);
    if (opts.paused) this.control.startPaused();
    connectDashboard(outputs, { control: this.control, liveSummary: () => judge(this.record()), onStopSignal: (fn) => lingerStop(stops, fn) });
  }

  /** What judge() reads: at the end, and once a second for the dashboard. */
  record(): RunRecord {
    const { opts, scenario, plan, feed, schedule, state, sut, control, faults } = this;
    return { script: opts.script, startedAt: this.startedAt, config: scenario.config, plan, feed, schedule, state, sut, faults, control: control.events, tty: { stdout: Boolean(this.stdout.isTTY), stderr: Boolean(this.stderr.isTTY) } };
  }

  /** Said in the summary, and on stderr as it happens. */
  sutWarning(w: SutWarning): void {
    const begun = this.schedule.begunAt;
    const when = begun ? `${formatMs(Math.max(0, w.time - (performance.timeOrigin + begun)))} into the load` : 'before the load started';
    this.warning(`${w.message} (${when}).`);
  }

  warning(text: string): void {
    this.state.warnings.push(text);
    this.stderr.write(`mcprun: warning: ${text}\n`);
  }

  /** The fault run hears of the load's start and of every phase's start and end, and sends `fault` messages to the pool. */
  attachFaults(pool: WorkerPool): () => void {
    const f = this.faults;
    if (!f) return () => {};
    f.attach((msg) => pool.broadcast(msg));
    const offs = [
      this.schedule.onBegin((at) => f.begin(at, this.schedule.paused)),
      this.schedule.onPhaseStart((p) => f.phaseEvent('scenario-start', p.scenario.name, p.startedAt)),
      this.schedule.onPhaseEnd((p) => f.phaseEvent('scenario-end', p.scenario.name, p.endedAt)),
    ];
    return () => offs.forEach((off) => off());
  }

  outputContext(): OutputContext {
    const epochOf = (t: number) => (t ? performance.timeOrigin + t : 0);
    return {
      script: this.opts.script,
      startedAt: this.startedAt,
      scenarios: this.scenario.config.scenarios,
      workers: this.plan.workers,
      metric: (n) => realmRegistry.get(n),
      aggregate: this.feed.aggregate,
      phases: () => this.schedule.phases.map((p) => ({ name: p.scenario.name, state: p.state, startedAt: epochOf(p.startedAt), endedAt: epochOf(p.endedAt) })),
      env: maskSecrets(this.opts.env ?? {}),
      stdout: this.stdout,
      stderr: this.stderr,
      outputFailed: (what, err) => {
        const text = `${what} could not be written: ${pathProblem(err)}; it is no longer written, and the run goes on`;
        this.stderr.write(`mcprun: ${text}.\n`);
        this.state.outputFailed(`${text} (exit code ${EXIT_CODES.OUTPUT_FAILED} unless the run fails otherwise).`);
      },
    };
  }

  spawnWorkers(poolPlan: PoolPlan): WorkerPool {
    const env = this.scenario.env;
    const flushIntervalMs = this.opts.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    const plans = workerPlans(this.plan, this.scenario.config, { bundlePath: this.scenario.bundle.path, env, flushIntervalMs, ...poolPlan });
    if (!this.hub) return new WorkerPool(plans, env);
    // This instance runs the first share; the others' workers join the pool as remote workers.
    const pool = new WorkerPool(plans.slice(0, this.plan.workers / this.hub.role.instances), env);
    this.hub.adoptInto(pool, this.plan.workers);
    return pool;
  }

  phaseContext(pool: WorkerPool): PhaseContext {
    const graceMs = Math.max(0, ...this.scenario.config.scenarios.map((s) => s.gracefulStopMs));
    return { pool, stops: this.stops, state: this.state, stderr: this.stderr, graceMs };
  }
}

/** From the first output started to the last one written: everything that runs once load may be sent. */
async function runLoad(run: RunParts, poolPlan: PoolPlan): Promise<RunResult> {
  const { opts, schedule, state, feed, stderr } = run;
  const config = run.scenario.config;
  // Outputs start before any worker exists: a bad --out path or a busy --metrics-addr sends nothing.
  await startParticipants(run.participants, run.outputContext());
  const pool = run.spawnWorkers(poolPlan);
  // Workers started at launch that this run does not need (fewer VUs than CPUs, --pool processes).
  releasePrespawned();
  const stopFeed = feed.attach(pool);
  const stopFaults = run.attachFaults(pool);
  const load = new LoadControl(pool, schedule, run.faults);
  run.control.attach(load);
  const phases = run.phaseContext(pool);
  // A stop from outside counts from here to the end: in setup(), the scenarios and teardown() alike.
  const offSignals = watchSignals(opts.signal, opts.hardSignal, state, load);
  // SIGTERM on another instance's pod stops the whole run the same way.
  const offRemoteStops = run.hub?.onStopRequest((hard) => {
    state.abortFromOutside();
    load.stop(!hard);
  });
  const offStuck = watchStuckWorkers(pool, schedule, run.plan, load);
  let stopWatchingWorkers = () => {};
  let stopWatching = () => {};
  try {
    await workersReady(phases);
    // --no-setup / --no-teardown (k6's): the scenarios get undefined as setup()'s data.
    const data = opts.setup === false ? undefined : await runSetup(phases, config.setupTimeoutMs);
    stopWatchingWorkers = watchWorkers(pool, schedule, state, load, { continueOnWorkerError: opts.continueOnWorkerError ?? false, stderr });
    stopWatching = watchScenarios(run, load);
    await runScenarios(pool, schedule, data);
    stopWatching();
    if (opts.teardown !== false && !(await runTeardown(phases, data, config.teardownTimeoutMs))) state.fail(EXIT_CODES.SCRIPT_ERROR);
    await shutdownWorkers(pool, stderr);
    await stopParticipants(run.participants, stderr);
    const summary = judge(run.record());
    run.baseline?.apply(summary);
    const failedOutputs = await endOutputs(run.outputs, summary, stderr);
    // An export or report that could not be written at the end: a CI job must not read success.
    const exitCode = failedOutputs && summary.mcprun.exitCode === EXIT_CODES.OK ? EXIT_CODES.OUTPUT_FAILED : (summary.mcprun.exitCode as ExitCode);
    return { exitCode, summary };
  } catch (err) {
    stopWatching();
    load.stop(false);
    await stopParticipants(run.participants, stderr);
    // The scenarios had started: say what failed in plain words before run() reports it.
    if (schedule.begunAt && feed.aggregate.series.size && !McprunError.is(err)) stderr.write(`mcprun: ${(err as Error).message}\n`);
    throw err;
  } finally {
    offSignals();
    offRemoteStops?.();
    offStuck();
    await pool.terminateAll();
    stopWatchingWorkers();
    stopFaults();
    stopFeed();
  }
}

/** While the scenarios run: abortOnFail thresholds, the progress display. Returns the function that ends both. */
function watchScenarios(run: RunParts, load: LoadControl): () => void {
  const { opts, schedule, state, feed, stderr } = run;
  const entries = run.scenario.config.thresholds;
  const offThresholds = watchThresholds(entries, (only) => evaluateNow(feed, schedule, entries, only), () => schedule.now() - schedule.begunAt, state, load);
  const display = createProgress(stderr, { enabled: !(opts.quiet ?? false) && (opts.progress ?? true), tty: Boolean(stderr.isTTY) });
  const offProgress = feedProgress(display, feed, schedule, run.plan, Boolean(stderr.isTTY));
  let done = false;
  return () => {
    if (done) return;
    done = true;
    offThresholds();
    offProgress();
  };
}
