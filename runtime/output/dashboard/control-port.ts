/**
 * What the dashboard's server needs from the run, declared here (below the coordinator, which
 * implements it in coordinator/control.ts) so the server never reaches the schedule or the
 * workers. Types only.
 */
import type { ControlEvent } from '../control-log.js';
import type { SummaryData } from '../summary-data.js';

export interface ControlAnswer {
  /** The HTTP status: 200 done; 400 a bad body; 404 no such scenario; 409 not now. */
  status: number;
  body: { ok: boolean; message: string };
}

export interface ScenarioControlStatus {
  name: string;
  executor: string;
  state: 'waiting' | 'running' | 'done' | 'skipped';
  /** What PATCH /api/scenarios/<name> takes; null for the iteration-count executors. */
  steer: 'vus' | 'rate' | null;
  /** VUs or rate per timeUnit now: the last rescale, or the plan at this moment. */
  value: number | null;
  rescaled: boolean;
  timeUnitMs?: number;
}

export interface ControlStatus {
  state: 'starting' | 'running' | 'paused' | 'stopping' | 'finished';
  elapsedMs: number;
  pausedMs: number;
  scenarios: ScenarioControlStatus[];
  events: ControlEvent[];
}

export interface ControlPort {
  status(): ControlStatus;
  pause(by?: string): ControlAnswer;
  resume(by?: string): ControlAnswer;
  stop(by?: string): ControlAnswer;
  rescale(name: string, body: unknown, by?: string): ControlAnswer;
}

/** The run as the dashboard sees it: its control, and its summary as of now (thresholds judged on what was measured so far). */
export interface DashboardHooks {
  control: ControlPort;
  liveSummary(): SummaryData;
  /** Calls `fn` on Ctrl-C (ends --linger). Returns the undo. */
  onStopSignal(fn: () => void): () => void;
}
