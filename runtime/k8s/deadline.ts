/**
 * The Job's activeDeadlineSeconds: an upper bound of the plan's length (each scenario from its
 * start, after the one it follows, to its planned end or its maxDuration, plus its gracefulStop;
 * setup() and teardown() at their timeouts) plus a margin for scheduling, image pulls and the
 * instances' gathering. Past it Kubernetes stops every pod (SIGTERM: a graceful stop, 105). Pure.
 */
import type { ResolvedScenario } from '../executors/resolved.js';

/** Scheduling, image pulls, the instances' gathering (at most 5 min) and writing the summary. */
export const DEADLINE_MARGIN_SECONDS = 600;
/** A scenario whose length is not known in advance (an iterations executor without maxDuration). */
const UNKNOWN_MS = 10 * 60_000;

export function deadlineSeconds(scenarios: readonly ResolvedScenario[], hooks: { setupTimeoutMs: number; teardownTimeoutMs: number }, planned: (s: ResolvedScenario) => number | undefined): number {
  const ends = new Map<string, number>();
  const endOf = (s: ResolvedScenario, seen: Set<string>): number => {
    const known = ends.get(s.name);
    if (known !== undefined) return known;
    const before = s.after && !seen.has(s.after) ? scenarios.find((x) => x.name === s.after) : undefined;
    const start = (before ? endOf(before, new Set([...seen, s.name])) : 0) + s.startTimeMs;
    const length = planned(s) ?? (s as { maxDurationMs?: number }).maxDurationMs ?? UNKNOWN_MS;
    const end = start + length + s.gracefulStopMs;
    ends.set(s.name, end);
    return end;
  };
  const longest = Math.max(0, ...scenarios.map((s) => endOf(s, new Set())));
  return Math.ceil((longest + hooks.setupTimeoutMs + hooks.teardownTimeoutMs) / 1000) + DEADLINE_MARGIN_SECONDS;
}
