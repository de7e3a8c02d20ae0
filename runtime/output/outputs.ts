/** Builds the outputs a run asked for (--out, --report-dir, --junit, --metrics-addr, handleSummary). */
import type { RunOptions } from '../coordinator/run.js';
import { McprunError } from '../errors.js';
import { VERSION } from '../version.js';
import { HandleSummaryOutput, type HandleSummary } from './handle-summary-output.js';
import type { Output } from './output.js';
import { PrometheusOutput } from './prometheus.js';
import { JunitOutput, ReportDirOutput, ReportModelSource } from './report-outputs.js';
import { parseOutSpec, TimeSeriesFileOutput } from './timeseries-file-output.js';
import { TimeSeries } from './timeseries.js';

/**
 * Order matters: the time series first (its end() closes the last interval, which the file outputs
 * and the report folder then write), handleSummary() last.
 */
export function createOutputs(opts: RunOptions, module: Record<string, unknown>): Output[] {
  const outputs: Output[] = [];
  const specs = (opts.out ?? []).map(parseOutSpec);
  const paths = new Set<string>();
  for (const s of specs) {
    if (paths.has(s.path)) throw new McprunError('MCPRUN_CLI', `--out ${s.source}: ${s.path} is written by another --out too; give each output its own file.`);
    paths.add(s.path);
  }
  const ts = specs.length || opts.reportDir ? new TimeSeries({ intervalMs: opts.flushIntervalMs ?? 1000 }) : undefined;
  if (ts) outputs.push(ts);
  for (const s of specs) outputs.push(new TimeSeriesFileOutput(s, ts!));
  const models = new ReportModelSource(ts);
  if (opts.reportDir) outputs.push(new ReportDirOutput(opts.reportDir, models, ts!));
  if (opts.junit) outputs.push(new JunitOutput(opts.junit, models));
  if (opts.metricsAddr !== undefined) outputs.push(new PrometheusOutput(opts.metricsAddr, VERSION));
  const hs = module.handleSummary;
  if (hs !== undefined) {
    if (typeof hs !== 'function') {
      throw new McprunError('MCPRUN_SCRIPT_EXPORT', `${opts.script} exports "handleSummary" but it is a ${typeof hs}, not a function.`, { hint: 'Write `export function handleSummary(data) { return { stdout: textSummary(data) }; }`.' });
    }
    outputs.push(new HandleSummaryOutput(hs as HandleSummary, { color: opts.color, quiet: opts.quiet }));
  }
  return outputs;
}
