/**
 * The run's execution requirements (k6's GetExecutionRequirements), computed once from the resolved
 * scenarios and nothing else: how many VUs each scenario may use and how long it is planned to
 * last, the largest number of VUs that can exist at once, and the worker count. The open-file
 * check, the worker plans, the progress display and the summary all read this; none recomputes
 * it. Pure: no clock, no process state (the CPU count is a parameter).
 */
import type { ResolvedConfig } from '../config/resolve.js';
import type { ResolvedScenario } from '../executors/resolved.js';
import { executorOf } from '../executors/registry.js';
import { McprunError } from '../errors.js';
import type { WorkerPlan } from '../worker-protocol.js';

/** Above this many scenarios the overlap search gives up and assumes they all overlap. */
const MAX_EXACT_SCENARIOS = 20;

export interface ScenarioPlan {
  readonly scenario: ResolvedScenario;
  /** VUs the scenario may use at most (allocation, vu ids, worker count, open files). */
  readonly maxVus: number;
  /** Planned duration without graceful stop, when known in advance. */
  readonly plannedDurationMs: number | undefined;
  /** "100 iterations shared among 10 VUs". */
  readonly description: string;
}

export interface PeakVus {
  readonly vus: number;
  /** The scenarios that make the peak. */
  readonly scenarios: readonly string[];
}

export interface RunPlan {
  /** In start order. */
  readonly scenarios: readonly ScenarioPlan[];
  readonly peak: PeakVus;
  readonly workers: number;
}

export function planScenario(scenario: ResolvedScenario): ScenarioPlan {
  const ex = executorOf(scenario);
  return { scenario, maxVus: ex.maxVUs(scenario), plannedDurationMs: ex.plannedDurationMs(scenario), description: ex.describe(scenario) };
}

/** `workersFlag` is --workers (or run()'s `workers`), `cpus` what the machine offers. */
export function planRun(scenarios: readonly ResolvedScenario[], workersFlag: number | undefined, cpus: number): RunPlan {
  if (workersFlag !== undefined && (!Number.isInteger(workersFlag) || workersFlag < 1)) {
    throw new McprunError('MCPRUN_CLI', `invalid --workers ${JSON.stringify(workersFlag)}: expected a whole number >= 1, e.g. --workers 2.`);
  }
  const planned = scenarios.map(planScenario);
  const widest = Math.max(1, ...planned.map((p) => p.maxVus));
  // A worker without a VU would only cost start-up time.
  const workers = Math.max(1, Math.min(workersFlag ?? cpus, widest));
  return { scenarios: planned, peak: peakConcurrentVus(scenarios), workers };
}

/**
 * The largest sum of VUs over scenarios that can run at the same time. Two scenarios can overlap
 * unless one is chained (`after`, directly or through others) behind the other; `startTime` does
 * not rule an overlap out (a scenario may outlast its planned duration by its gracefulStop).
 */
export function peakConcurrentVus(scenarios: readonly ResolvedScenario[]): PeakVus {
  const byName = new Map(scenarios.map((s) => [s.name, s]));
  const ancestors = scenarios.map((s) => {
    const set = new Set<string>();
    for (let a = s.after; a && !set.has(a); a = byName.get(a)?.after) set.add(a);
    return set;
  });
  const weights = scenarios.map((s) => planScenario(s).maxVus);
  const n = scenarios.length;
  if (n > MAX_EXACT_SCENARIOS) return { vus: weights.reduce((a, b) => a + b, 0), scenarios: scenarios.map((s) => s.name) };
  const ordered = (i: number, j: number) => ancestors[i].has(scenarios[j].name) || ancestors[j].has(scenarios[i].name);
  let best = 0;
  let bestSet: number[] = [];
  const chosen: number[] = [];
  const dfs = (i: number, sum: number) => {
    if (i === n) {
      if (sum > best) {
        best = sum;
        bestSet = [...chosen];
      }
      return;
    }
    if (chosen.every((c) => !ordered(c, i))) {
      chosen.push(i);
      dfs(i + 1, sum + weights[i]);
      chosen.pop();
    }
    dfs(i + 1, sum);
  };
  dfs(0, 0);
  return { vus: best, scenarios: bestSet.map((i) => scenarios[i].name) };
}

/** What each worker is told: the same scenarios and settings, its own index. */
export function workerPlans(plan: RunPlan, config: ResolvedConfig, shared: Pick<WorkerPlan, 'bundlePath' | 'env' | 'flushIntervalMs' | 'pool' | 'localIps'>): WorkerPlan[] {
  return Array.from({ length: plan.workers }, (_, i) => ({
    workerIndex: i,
    workerCount: plan.workers,
    bundlePath: shared.bundlePath,
    scenarios: config.scenarios,
    http: config.http,
    env: shared.env,
    flushIntervalMs: shared.flushIntervalMs,
    pool: shared.pool,
    localIps: shared.localIps,
    targets: config.faults.targets.length ? config.faults.targets.map((t) => ({ name: t.name, upstream: t.upstream, proxy: t.proxy })) : undefined,
  }));
}
