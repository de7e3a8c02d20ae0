/** Builds the outputs a run asked for (summary, --summary-export, --out, --report-dir, --junit, --metrics-addr, handleSummary, --dashboard). */
import { resolve } from 'node:path';
import { DEFAULT_FLUSH_INTERVAL_MS, type RunOptions } from '../config/run-options.js';
import { McprunError } from '../errors.js';
import { parseDuration } from '../duration.js';
import { VERSION } from '../version.js';
import { DashboardOutput, type DashboardOptions } from './dashboard/dashboard-output.js';
import { HandleSummaryOutput, type HandleSummary } from './handle-summary-output.js';
import type { Output, OutputContext } from './output.js';
import type { SummaryData } from './summary-data.js';
import { PrometheusOutput } from './prometheus.js';
import { JunitOutput, ReportDirOutput, ReportModelSource } from './report-outputs.js';
import { SummaryExportOutput, TextSummaryOutput } from './summary-outputs.js';
import { parseOutSpec, TimeSeriesFileOutput } from './timeseries-file-output.js';
import { TimeSeries } from './timeseries.js';

/**
 * Order matters: the summary text and file first (as soon as the run is judged), then the time
 * series (its end() closes the last interval, which the file outputs and the report folder then
 * write), handleSummary() last.
 */
export function createOutputs(opts: RunOptions, handleSummary: ScenarioHandleSummary = { kind: undefined, run: async () => undefined }): Output[] {
  const specs = (opts.out ?? []).map(parseOutSpec);
  refuseSharedFiles([...specs.map((s): [string, string] => [`--out ${s.source}`, s.path]), ['--summary-export', opts.summaryExport], ['--junit', opts.junit]]);
  const hs = checkHandleSummary(opts.script, handleSummary);
  const outputs: Output[] = [];
  // -q hides the progress only; --no-summary hides the summary (as in k6).
  if (opts.summary !== false && !hs) outputs.push(new TextSummaryOutput(opts.color));
  if (opts.summaryExport) outputs.push(new SummaryExportOutput(opts.summaryExport));
  const dashboard = dashboardOptions(opts);
  const ts = specs.length || opts.reportDir || dashboard ? new TimeSeries({ intervalMs: opts.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS }) : undefined;
  if (ts) outputs.push(ts);
  for (const s of specs) outputs.push(new TimeSeriesFileOutput(s, ts!));
  const models = new ReportModelSource(ts);
  if (opts.reportDir) outputs.push(new ReportDirOutput(opts.reportDir, models, ts!));
  if (opts.junit) outputs.push(new JunitOutput(opts.junit, models));
  if (opts.metricsAddr !== undefined) outputs.push(new PrometheusOutput(opts.metricsAddr, VERSION));
  if (hs) outputs.push(new HandleSummaryOutput(hs, { color: opts.color, quiet: opts.summary === false }));
  // Last: its end() keeps the final page up for --linger, after every file is written.
  if (dashboard) outputs.push(new DashboardOutput(dashboard, ts!));
  return outputs;
}

/** --dashboard and the flags that only mean something with it (each refused alone, before load). */
function dashboardOptions(opts: RunOptions): DashboardOptions | undefined {
  if (opts.dashboard === undefined) {
    const alone = (['paused', 'linger', 'dashboardOpen', 'dashboardToken'] as const).find((k) => opts[k] !== undefined && opts[k] !== false);
    if (alone) {
      const flag = `--${alone.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new McprunError('MCPRUN_CLI', `${flag} needs --dashboard: ${alone === 'paused' ? 'only the dashboard\'s resume could start a paused run' : 'it is about the dashboard'}.`, { hint: `Add --dashboard (127.0.0.1 and a free port), or drop ${flag}. No load was sent.` });
    }
    return undefined;
  }
  const linger = opts.linger === undefined ? 0 : opts.linger === 'forever' ? Infinity : parseDuration(opts.linger, '--linger', { allowZero: true });
  const token = opts.dashboardToken ?? (process.env.MCPRUN_DASHBOARD_TOKEN || undefined);
  return { addr: opts.dashboard, token, open: opts.dashboardOpen ?? false, lingerMs: linger };
}

/** Two outputs writing one file would each overwrite the other: refused before load (104). */
function refuseSharedFiles(files: Array<[string, string | undefined]>): void {
  const seen = new Map<string, string>();
  for (const [flag, path] of files) {
    if (!path) continue;
    const abs = resolve(path);
    const other = seen.get(abs);
    if (other) throw new McprunError('MCPRUN_CLI', `${flag} ${path}: ${other} writes the same file; give each output its own file.`, { hint: 'No load was sent.' });
    seen.set(abs, `${flag} ${path}`);
  }
}

/** The scenario's handleSummary export: its kind ('function', 'an object'...) and how to call it (away from the coordinator). */
export interface ScenarioHandleSummary {
  kind: string | undefined;
  run: HandleSummary;
}

/** The scenario's handleSummary(), when it exports one: it replaces the summary text on stdout. */
function checkHandleSummary(script: string, hs: ScenarioHandleSummary): HandleSummary | undefined {
  if (hs.kind === undefined || hs.kind === 'undefined') return undefined;
  if (hs.kind !== 'function') {
    throw new McprunError('MCPRUN_SCRIPT_EXPORT', `${script} exports "handleSummary" but it is ${hs.kind}, not a function.`, { hint: 'Write `export function handleSummary(data) { return { stdout: textSummary(data) }; }`.' });
  }
  return hs.run;
}

/**
 * Each output gets the final summary, in order; one that fails is said on stderr (which file, and
 * why) and the others still run. Returns how many failed.
 */
export async function endOutputs(outputs: readonly Output[], summary: SummaryData, stderr: NodeJS.WritableStream): Promise<number> {
  let failed = 0;
  for (const o of outputs) {
    try {
      await o.end?.(summary);
    } catch (err) {
      failed++;
      stderr.write(`mcprun: ${McprunError.is(err) && err.mcprunCode === 'MCPRUN_OUTPUT' ? err.message : `output ${o.name} failed: ${(err as Error).message}`}\n`);
    }
  }
  return failed;
}

/** A run stopped before it began: the summary text and --summary-export still say so (the other outputs never started). */
export async function endSummaryOutputs(opts: RunOptions, summary: SummaryData, io: Pick<OutputContext, 'stdout' | 'stderr'>): Promise<void> {
  const outputs: Output[] = [];
  if (opts.summary !== false) outputs.push(new TextSummaryOutput(opts.color));
  if (opts.summaryExport) outputs.push(new SummaryExportOutput(opts.summaryExport));
  for (const o of outputs) o.start?.(io as OutputContext);
  await endOutputs(outputs, summary, io.stderr);
}
