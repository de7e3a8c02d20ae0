/**
 * What the control API changed during a run (pause, resume, stop, rescale), as the summary, the
 * verdict, the reports' charts and the dashboard show it. A steered run is not the plan that was
 * written: the verdict says so (verdict.ts reads `steeredText`). Types and words only; the
 * coordinator (coordinator/control.ts) records the events.
 */
import { formatMs } from './format.js';

export type ControlAction = 'pause' | 'resume' | 'stop' | 'rescale';

export interface ControlEvent {
  action: ControlAction;
  /** Ms since the test started (0 before it started: `--paused`). */
  atMs: number;
  /** Wall time, ISO 8601. */
  at: string;
  /** rescale: the scenario, its value before and after, and what the value counts. */
  scenario?: string;
  from?: number | null;
  to?: number;
  unit?: 'VUs' | 'iterations/timeUnit';
  /** Who asked: `api` (the REST API, the dashboard page uses it too) or `--paused`. */
  by: string;
}

/** "pause", "rescale steady: 5 → 20 VUs". */
export function describeControl(e: ControlEvent): string {
  if (e.action !== 'rescale') return `${e.action}${e.by === '--paused' ? ' (--paused)' : ''}`;
  const unit = e.unit === 'VUs' ? ' VUs' : ' iterations per timeUnit';
  return `rescale ${e.scenario}: ${e.from ?? '?'} → ${e.to}${unit}`;
}

/** The few words a chart marker has room for: "pause", "steady → 20 VUs", "arrivals → 100/timeUnit". */
export function controlLabel(e: ControlEvent): string {
  if (e.action !== 'rescale') return e.action;
  return `${e.scenario} → ${e.to}${e.unit === 'VUs' ? ' VUs' : '/timeUnit'}`;
}

/** One line per event: "+12.3s  pause". */
export function controlLines(events: readonly ControlEvent[]): string[] {
  return events.map((e) => `+${formatMs(Math.max(0, e.atMs))}  ${describeControl(e)}`);
}

/** Time spent paused: each pause until the next resume (or `endMs`, the run's end, when none followed). */
export function pausedMsOf(events: readonly ControlEvent[], endMs: number): number {
  let total = 0;
  let since: number | undefined;
  for (const e of events) {
    if (e.action === 'pause' && since === undefined) since = e.atMs;
    if (e.action === 'resume' && since !== undefined) {
      total += e.atMs - since;
      since = undefined;
    }
  }
  if (since !== undefined) total += Math.max(0, endMs - since);
  return total;
}

/**
 * "steered: paused 2× (12.4s in all), 1 rescale — not the plan as written", or undefined when
 * nothing was changed. A stop alone is said by the verdict's ABORTED already; `--paused` alone
 * with its resume held nothing that was running and is still said (the start moved).
 */
export function steeredText(events: readonly ControlEvent[] | undefined, endMs: number): string | undefined {
  if (!events?.length) return undefined;
  // --paused holds the start only: the plan as written runs once the first resume lets it begin.
  const first = events[0]?.by === '--paused' ? events.findIndex((e) => e.action === 'resume') : -1;
  events = events.filter((e, i) => !(e.by === '--paused' || i === first));
  const pauses = events.filter((e) => e.action === 'pause').length;
  const rescales = events.filter((e) => e.action === 'rescale').length;
  if (!pauses && !rescales) return undefined;
  const parts: string[] = [];
  if (pauses) parts.push(`paused ${pauses}× (${formatMs(pausedMsOf(events, endMs))} in all)`);
  if (rescales) parts.push(`${rescales} rescale${rescales === 1 ? '' : 's'}`);
  return `steered: ${parts.join(', ')} — not the plan as written`;
}
