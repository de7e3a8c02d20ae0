/**
 * Everything that takes part in a run besides the workers. Each is started before any worker
 * exists (a failure there is a configuration error: no load was sent), sees every merged metric
 * snapshot, and is stopped once whatever ends the load has ended it: the end of the last phase,
 * Ctrl-C, a lost worker or an error.
 *
 * Outputs, the fault run (managed target processes and the fault timeline, runtime/faults) and
 * the system-under-test sampler (their samples go into MetricFeed.ingest) are participants. The
 * parts planned next plug in here the same way: a live dashboard with its control API
 * (LoadControl and ScenarioSchedule are its hooks).
 */
import { McprunError } from '../errors.js';
import type { MetricSnapshot } from '../metrics/worker-store.js';
import type { Output, OutputContext } from '../output/output.js';
import type { SutRun, SutRunHooks } from '../sut/sut-run.js';
import type { FaultRun, FaultRunHooks } from '../faults/fault-run.js';

export interface RunParticipant {
  /** How messages name it: "output --junit". */
  readonly label: string;
  start?(ctx: OutputContext): void | Promise<void>;
  /** A snapshot after it was merged into the aggregate. Must be cheap: it runs on every flush. */
  snapshot?(source: number, snap: MetricSnapshot): void;
  /** The load is over, however it ended; called once, before the summary. */
  stop?(): void | Promise<void>;
}

export function outputParticipant(o: Output): RunParticipant {
  return {
    label: `output ${o.name}`,
    start: o.start && ((ctx) => o.start!(ctx)),
    snapshot: o.snapshot && ((i, s) => o.snapshot!(i, s)),
  };
}

/** The system under test: sampled from before the first worker exists until the load is over. */
export function sutParticipant(sut: SutRun, hooks: SutRunHooks): RunParticipant {
  return {
    label: `system under test (${sut.sources.join(', ')})`,
    start: () => sut.start(hooks),
    stop: () => sut.stop(),
  };
}

/**
 * options.targets and options.faults: managed targets started and ready before the first worker
 * exists (a command that is missing or never ready is exit 104, no load sent), faults switched as
 * the load goes, every managed process stopped once the load is over.
 */
export function faultParticipant(faults: FaultRun, hooks: FaultRunHooks): RunParticipant {
  return {
    label: faults.label,
    start: () => faults.start(hooks),
    snapshot: (source, snap) => faults.snapshot(source, snap),
    stop: () => faults.stop(),
  };
}

/** In order; the first failure stops the run as a configuration error (exit 104). */
export async function startParticipants(list: readonly RunParticipant[], ctx: OutputContext): Promise<void> {
  for (const p of list) {
    try {
      await p.start?.(ctx);
    } catch (err) {
      throw McprunError.is(err) ? err : new McprunError('MCPRUN_CONFIG', `${p.label} could not start: ${(err as Error).message}.`);
    }
  }
}

/** Every participant, whatever the others do; a failure is said on stderr and the run goes on to its summary. */
export async function stopParticipants(list: readonly RunParticipant[], stderr: NodeJS.WritableStream): Promise<void> {
  for (const p of list) {
    try {
      await p.stop?.();
    } catch (err) {
      stderr.write(`mcprun: ${p.label} did not stop cleanly: ${(err as Error).message}\n`);
    }
  }
}
