/**
 * `mcprun merge a.json b.json ... [--thresholds-from scenario.ts] [--summary-export out.json]`:
 * summary exports of separate runs merged exactly into one summary (output/summary-merge.ts),
 * its thresholds judged again on the merged figures, and the exit code of a run: 99 when a
 * threshold fails; otherwise the first non-zero code among the inputs other than 99 (a partial
 * run, 106, stays partial when merged); else 0. The thresholds are the scenario's with
 * --thresholds-from, the inputs' own otherwise (each expression once).
 */
import { readFileSync } from 'node:fs';
import yargsParser from 'yargs-parser';
import { configError } from '../config/resolve.js';
import { resolveThresholds, type ThresholdCodes } from '../config/thresholds.js';
import { loadScenario } from '../coordinator/load.js';
import { releasePrespawned } from '../coordinator/prespawn.js';
import { StopSignals } from '../coordinator/stop-signals.js';
import { McprunError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import type { ConfigIssue } from '../executors/types.js';
import { realmRegistry } from '../metrics/registry.js';
import { reportError } from '../output/error-report.js';
import { checkOutputFile, writeFileAtomic } from '../output/output-path.js';
import { buildSummary } from '../output/summary-data.js';
import { mergeExports, readExport, type MergeInput } from '../output/summary-merge.js';
import { textSummary } from '../output/text-summary.js';
import { evaluateThresholds, type ThresholdEntry } from '../thresholds/index.js';
import type { CliIo } from './cli-io.js';

export const MERGE_USAGE = `Usage: mcprun merge <a.json> <b.json> ... [--thresholds-from scenario.ts] [--summary-export out.json] [--quiet]

Merges summary exports (--summary-export) of separate runs exactly: counts add up, histograms add
bucket by bucket. Thresholds are judged again on the merged figures; the exit code is a run's.
`;

export async function mergeCommand(argv: string[], io: CliIo): Promise<number> {
  const a = yargsParser(argv, { string: ['thresholds-from', 'summary-export'], boolean: ['help', 'quiet', 'verbose'], configuration: { 'camel-case-expansion': false } });
  if (a.help) {
    io.stdout.write(MERGE_USAGE);
    return EXIT_CODES.OK;
  }
  try {
    const files = a._.map(String);
    if (files.length < 1) throw new McprunError('MCPRUN_CLI', 'mcprun merge needs the summary exports to merge: mcprun merge a.json b.json.', { hint: 'See `mcprun merge --help`.' });
    const out = typeof a['summary-export'] === 'string' ? a['summary-export'] : undefined;
    if (out) checkOutputFile(out, `--summary-export ${out}`);
    const inputs = files.map((f) => readExport(f, readText(f)));
    // Custom metrics are defined from the exports first: thresholds may name them.
    const merged = mergeExports(inputs, realmRegistry);
    const entries = typeof a['thresholds-from'] === 'string' ? await scenarioThresholds(a['thresholds-from']) : inputThresholds(inputs);
    checkMergeable(entries);
    const seconds = merged.testRunDurationMs / 1000;
    const verdicts = evaluateThresholds(entries, (metric, filter) => merged.aggregate.view(metric, filter, seconds));
    const failed = verdicts.some((v) => !v.ok);
    const carried = inputs.map((i) => i.data.mcprun.exitCode).find((c) => c !== EXIT_CODES.OK && c !== EXIT_CODES.THRESHOLDS_FAILED);
    const exitCode = failed ? EXIT_CODES.THRESHOLDS_FAILED : (carried ?? EXIT_CODES.OK);
    const summary = buildSummary({
      aggregate: merged.aggregate,
      metric: (n) => realmRegistry.get(n),
      verdicts,
      elapsedSecondsFor: () => seconds,
      testRunDurationMs: merged.testRunDurationMs,
      phases: [],
      script: inputs.map((i) => i.data.mcprun.script).filter((s, i, all) => all.indexOf(s) === i).join(', '),
      startedAt: new Date(Math.min(...inputs.map((i) => Date.parse(i.data.mcprun.startedAt) || Date.now()))),
      exitCode,
      aborted: inputs.map((i) => i.data.mcprun.aborted).find((x) => x) ?? null,
      workers: inputs.reduce((n, i) => n + (i.data.mcprun.workers ?? 0), 0),
      errors: inputs.flatMap((i) => i.data.mcprun.errors ?? []),
      warnings: [`merged from ${files.length} summary export${files.length === 1 ? '' : 's'}: ${files.join(', ')}`, ...inputs.flatMap((i) => i.data.mcprun.warnings ?? [])],
      tty: { stdout: Boolean(io.stdout.isTTY), stderr: Boolean(io.stderr.isTTY) },
    });
    if (!a.quiet) io.stdout.write(`\n${textSummary(summary, { enableColors: false })}`);
    if (out) writeFileAtomic(out, JSON.stringify(summary, null, 2), `--summary-export ${out}`);
    return exitCode;
  } catch (err) {
    return reportError(err, io.stderr, Boolean(a.verbose));
  } finally {
    releasePrespawned();
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new McprunError('MCPRUN_CLI', `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give summary exports written by --summary-export.`);
  }
}

/** The scenario's thresholds, read as `mcprun run` reads them. */
async function scenarioThresholds(script: string): Promise<ThresholdEntry[]> {
  const scenario = await loadScenario({ script }, new StopSignals(undefined, undefined), false);
  scenario.bundle.dispose();
  return scenario.config.thresholds;
}

/** The thresholds the inputs were judged by, each expression once. */
function inputThresholds(inputs: readonly MergeInput[]): ThresholdEntry[] {
  const raw: Record<string, Array<{ threshold: string; abortOnFail: boolean }>> = {};
  for (const { data } of inputs) {
    for (const t of data.mcprun.thresholds ?? []) {
      const list = (raw[t.metric] ??= []);
      if (!list.some((x) => x.threshold === t.expression)) list.push({ threshold: t.expression, abortOnFail: t.abortOnFail });
    }
  }
  const issues: ConfigIssue[] = [];
  const codes: ThresholdCodes = new Set();
  const entries = resolveThresholds(raw, [], realmRegistry, issues, codes);
  if (issues.length) throw configError('the summary exports', issues, [...codes][0]);
  return entries;
}

/** A threshold on tagged values cannot be judged: an export holds each metric over all its tags together. */
function checkMergeable(entries: readonly ThresholdEntry[]): void {
  const tagged = entries.find((e) => Object.keys(e.filter).length > 0);
  if (!tagged) return;
  throw new McprunError('MCPRUN_CONFIG', `threshold ${tagged.key}: '${tagged.source}' has a tag filter, which mcprun merge cannot judge: a summary export holds each metric over all its tags together.`, {
    hint: 'Judge it on one run over many instances (mcprun run --instances N), which merges every series, or drop it from what is merged.',
  });
}
