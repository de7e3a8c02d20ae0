/**
 * Can a fault ever act while some scenario runs? From the scenarios' plan bounds
 * (scenario-bounds.ts): a fault placed `during` a scenario must start before that scenario's
 * latest end; any other fault must be able to overlap at least one scenario. Only a fault that
 * certainly misses every scenario is an error: a scenario that may end early (iterations) or run
 * its graceful stop counts with its longest span.
 */
import { formatDuration } from '../duration.js';
import type { ConfigIssue } from '../executors/types.js';
import type { FaultPlacement } from './faults-resolved.js';
import type { ResolvedScenario } from '../executors/resolved.js';
import { scenarioBounds, type ScenarioBounds, type Span } from './scenario-bounds.js';

export function checkFaultWindow(name: string, placement: FaultPlacement, durationMs: number | undefined, scenarios: readonly ResolvedScenario[], issues: ConfigIssue[]): void {
  const bounds = scenarioBounds(scenarios);
  const path = `faults.${name}.startTime`;
  if (placement.type === 'during') {
    const b = bounds.get(placement.scenario);
    if (!b) return;
    const longest = b.end.max - b.start.max;
    if (placement.offsetMs >= longest) {
      issues.push({ path, message: `is ${formatDuration(placement.offsetMs)} into "${placement.scenario}", which lasts ${formatDuration(longest)} at most (graceful stop included): the fault would never turn on. Use a startTime below ${formatDuration(longest)}.` });
    }
    return;
  }
  const anchor = placement.type === 'after' ? bounds.get(placement.scenario)?.end : { min: 0, max: 0 };
  if (!anchor) return;
  const on: Span = { min: anchor.min + placement.offsetMs, max: anchor.max + placement.offsetMs };
  const offMax = durationMs === undefined ? Infinity : on.max + durationMs;
  // After x, neither x nor the phases x follows can still run: they ended before x did.
  const done = placement.type === 'after' ? chainOf(placement.scenario, scenarios) : new Set<string>();
  const others = [...bounds].filter(([n]) => !done.has(n));
  // An instant (restart) at a scenario's very start still acts on it.
  const overlaps = (b: ScenarioBounds) => on.min < b.end.max && (offMax > b.start.min || (durationMs === 0 && on.max >= b.start.min));
  if (others.some(([, b]) => overlaps(b))) return;
  if (placement.type === 'after' && others.length === 0) {
    const s = placement.scenario;
    issues.push({ path: `faults.${name}.after`, message: `places the fault after "${s}" ends, and no scenario runs after that: it would act on no load. Place it during: '${s}' instead, or after an earlier scenario.` });
    return;
  }
  const first = Math.min(...others.map(([, b]) => b.start.min));
  const last = Math.max(...others.map(([, b]) => b.end.max));
  const where = placement.type === 'after' ? `after "${placement.scenario}" ends` : `at ${formatDuration(on.min)}${durationMs === undefined ? '' : ` for ${formatDuration(durationMs)}`}`;
  issues.push({
    path: placement.type === 'after' ? `faults.${name}.after` : path,
    message: `places the fault ${where}, when no scenario runs (scenarios run between ${formatDuration(first)} and ${formatDuration(last)} at most): it would act on no load. Move it into that span, or place it with during: '<scenario>'.`,
  });
}

/** `name` and every scenario it follows through `after`. */
function chainOf(name: string, scenarios: readonly ResolvedScenario[]): Set<string> {
  const chain = new Set<string>();
  for (let cur: string | undefined = name; cur !== undefined && !chain.has(cur); ) {
    chain.add(cur);
    cur = scenarios.find((s) => s.name === cur)?.after;
  }
  return chain;
}
