/**
 * Outputs watch a run (k6's output.Output): they see every merged worker snapshot as it arrives
 * and the final summary. The summary text, --summary-export, time series files, the Prometheus
 * endpoint, report folders, JUnit and handleSummary() are outputs. The coordinator knows nothing
 * about any of them: it runs them as participants (coordinator/participants.ts).
 */
import type { ResolvedScenario } from '../executors/resolved.js';
import type { MetricAggregate } from '../metrics/aggregate.js';
import type { MetricDefinition } from '../metrics/types.js';
import type { MetricSnapshot } from '../metrics/worker-store.js';
import type { SummaryData } from './summary-data.js';

export interface PhaseTiming {
  name: string;
  state: 'waiting' | 'running' | 'done' | 'skipped';
  /** Epoch ms; 0 when not started / not ended. */
  startedAt: number;
  endedAt: number;
}

export interface OutputContext {
  script: string;
  startedAt: Date;
  scenarios: readonly ResolvedScenario[];
  workers: number;
  /** Metric definitions of the run (built-in and custom). */
  metric(name: string): MetricDefinition | undefined;
  /** The live cumulative aggregate (read-only use). */
  aggregate: MetricAggregate;
  /** Phase start/end times so far. */
  phases(): PhaseTiming[];
  /** -e values with secrets masked, for reports. */
  env: Record<string, string>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * An output could not write during the run (the disk is full): said once on stderr and in the
   * summary, and the exit code says so; the run goes on.
   */
  outputFailed(what: string, err: Error): void;
}

export interface Output {
  readonly name: string;
  /** Before load starts (open files, listen). An error here is a configuration error (exit 104). */
  start?(ctx: OutputContext): void | Promise<void>;
  /** Each worker snapshot, after it was merged into the aggregate. Must be cheap. */
  snapshot?(workerIndex: number, snap: MetricSnapshot): void;
  /** After the run with the final summary; write files, close servers. A throw (MCPRUN_OUTPUT) makes the exit code 110. */
  end?(summary: SummaryData): void | Promise<void>;
}
