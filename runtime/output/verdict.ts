/**
 * The run's verdict in words, once, from the summary: the text summary's RESULT line, report.md,
 * report.html and the JUnit file all say this, so none can tell CI something the exit code does
 * not. The exit code decides the word (0 PASS or no thresholds, 99 FAIL by thresholds, a stop from
 * outside ABORTED, any other code FAIL with its meaning); iterations that threw are always said,
 * whatever the word: a PASS over a crashing script judged only what ran before each throw.
 */
import { steeredText } from './control-log.js';
import type { SummaryData } from './summary-data.js';

export type VerdictKind = 'pass' | 'fail' | 'aborted' | 'none';

export interface Verdict {
  kind: VerdictKind;
  /** PASS, FAIL, ABORTED, or "no thresholds". */
  word: string;
  /** What follows the word: "1 threshold held, but 18 of 20 iterations threw". */
  detail: string;
}

/** Exit codes other than 0 and 99, in words (exit-codes.ts). */
const EXIT_MEANINGS: Readonly<Record<number, string>> = {
  105: 'stopped from outside',
  106: 'a worker failed, the results are partial',
  107: 'the scenario threw outside an iteration (setup() or teardown())',
  108: 'a threshold with abortOnFail failed',
  109: 'an internal error',
};

/** "18 of 20 iterations threw", or undefined when none did. */
export function iterationsThrew(s: SummaryData): string | undefined {
  const it = s.mcprun?.iterations;
  if (!it?.threw) return undefined;
  return `${it.threw} of ${it.count} iteration${it.count === 1 ? '' : 's'} threw`;
}

export function verdictOf(s: SummaryData): Verdict {
  const m = s.mcprun;
  // A capacity step's SLA is the search's to judge (its conclusion says which step failed), not the run's.
  const steps = new Set((m?.capacity ?? []).flatMap((c) => c.steps.map((st) => st.scenario)));
  const ths = (m?.thresholds ?? []).filter((t) => !steps.has(/[{,]scenario:([^,}]+)/.exec(t.metric)?.[1] ?? ''));
  const failed = ths.filter((t) => !t.ok).length;
  const ofThresholds = `${failed} of ${ths.length} threshold${ths.length === 1 ? '' : 's'} failed`;
  const threw = iterationsThrew(s);
  // A paused or rescaled run is not the plan that was written: every verdict says so.
  const steered = steeredText(m?.control, s.state?.testRunDurationMs ?? 0);
  const also = `${threw ? `; ${threw}` : ''}${steered ? `; ${steered}` : ''}`;
  if (m?.aborted) return { kind: 'aborted', word: 'ABORTED', detail: `${m.aborted}${failed ? `; ${ofThresholds}` : ''}${also}` };
  const code = m?.exitCode ?? 0;
  const regressions = m?.comparison?.regressions.length ?? 0;
  const ofBaseline = regressions ? `${regressions} regression${regressions === 1 ? '' : 's'} against the baseline` : '';
  if (failed) return { kind: 'fail', word: 'FAIL', detail: `${ofThresholds}${ofBaseline ? `; ${ofBaseline}` : ''}${also}` };
  const noCapacity = (m?.capacity ?? []).filter((c) => c.capacity === null);
  if (code === 99 && noCapacity.length) return { kind: 'fail', word: 'FAIL', detail: `capacity search ${noCapacity[0].search}: ${noCapacity[0].conclusion}${also}` };
  if (code === 99 && regressions) return { kind: 'fail', word: 'FAIL', detail: `${ofBaseline}${also}` };
  if (code !== 0) return { kind: 'fail', word: 'FAIL', detail: `exit code ${code}: ${EXIT_MEANINGS[code] ?? 'see the messages above'}${also}` };
  if (!ths.length && steps.size) return { kind: 'pass', word: 'PASS', detail: `${(m?.capacity ?? []).map((c) => `${c.search}: ${c.conclusion}`).join('; ')}${also}` };
  if (!ths.length) return { kind: 'none', word: 'no thresholds', detail: [threw, steered].filter(Boolean).join('; ') };
  const held = ths.length === 1 ? '1 threshold held' : `all ${ths.length} thresholds held`;
  return { kind: 'pass', word: 'PASS', detail: `${threw ? `${held}, but ${threw}` : held}${steered ? `; ${steered}` : ''}` };
}

/** "PASS — 1 threshold held, but 18 of 20 iterations threw". */
export function verdictLine(v: Verdict): string {
  return v.detail ? `${v.word} — ${v.detail}` : v.word;
}
