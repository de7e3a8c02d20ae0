/**
 * `--report-dir [DIR]`: DIR/<scenario-file-name>-YYYYMMDD-HHMMSS/ with summary.json, report.html,
 * report.md, junit.xml and timeseries.csv (streamed during the run); and `--junit FILE` alone.
 */
import { existsSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { McprunError } from '../errors.js';
import { FileSink } from './file-sink.js';
import { checkOutputFile, ensureFolder, pathProblem, writeFileAtomic } from './output-path.js';
import { renderHtmlReport } from './html-report.js';
import { renderJunit } from './junit-report.js';
import { renderMarkdownReport } from './markdown-report.js';
import type { Output, OutputContext } from './output.js';
import { buildReportModel, type ReportModel } from './report-model.js';
import type { SummaryData } from './summary-data.js';
import { csvHeader, csvLines } from './timeseries-format.js';
import type { TimeSeries } from './timeseries.js';

/** Builds the report model once per run, for every output that needs it. */
export class ReportModelSource {
  #ctx: OutputContext | undefined;
  #model: ReportModel | undefined;
  #for: SummaryData | undefined;

  constructor(readonly ts: TimeSeries | undefined) {}

  setContext(ctx: OutputContext): void {
    this.#ctx = ctx;
  }

  get(summary: SummaryData): ReportModel {
    if (this.#model && this.#for === summary) return this.#model;
    const ctx = this.#ctx;
    this.#for = summary;
    this.#model = buildReportModel({
      summary,
      aggregate: ctx?.aggregate,
      columns: this.ts?.columns(),
      phases: ctx?.phases(),
      startedAt: ctx?.startedAt,
      env: ctx?.env,
      intervalMs: this.ts?.intervalMs,
    });
    return this.#model;
  }
}

/** `20260102-150405` in local time, as people read the clock. */
export function folderStamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export class ReportDirOutput implements Output {
  readonly name = '--report-dir';
  /** The run's folder, known after start(). */
  dir: string | undefined;
  #csv: FileSink | undefined;
  #ctx: OutputContext | undefined;

  constructor(
    readonly base: string,
    readonly models: ReportModelSource,
    ts: TimeSeries,
  ) {
    ts.onInterval((c) => this.#csv?.write(csvLines(c)));
  }

  start(ctx: OutputContext): void {
    this.#ctx = ctx;
    this.models.setContext(ctx);
    const stem = basename(ctx.script, extname(ctx.script)) || 'scenario';
    const name = `${stem}-${folderStamp(ctx.startedAt)}`;
    let dir = join(this.base, name);
    try {
      for (let i = 2; existsSync(dir); i++) dir = join(this.base, `${name}-${i}`);
      ensureFolder(dir);
    } catch (err) {
      throw new McprunError('MCPRUN_CONFIG', `cannot create the report folder in --report-dir ${this.base}: ${pathProblem(err)}.`, { hint: 'No load was sent.' });
    }
    this.dir = dir;
    this.#csv = new FileSink(join(dir, 'timeseries.csv'), `--report-dir ${join(dir, 'timeseries.csv')}`, (err) => ctx.outputFailed(`--report-dir ${join(dir, 'timeseries.csv')}`, err));
    this.#csv.write(csvHeader());
  }

  end(summary: SummaryData): void {
    this.#csv?.close();
    const dir = this.dir;
    if (!dir) return;
    const model = this.models.get(summary);
    const files: Array<[string, () => string]> = [
      ['summary.json', () => JSON.stringify(summary, null, 2)],
      ['report.html', () => renderHtmlReport(model)],
      ['report.md', () => renderMarkdownReport(model)],
      ['junit.xml', () => renderJunit(model)],
    ];
    const stderr = this.#ctx?.stderr ?? process.stderr;
    const failed: string[] = [];
    for (const [file, render] of files) {
      try {
        writeFileAtomic(join(dir, file), render(), `the report ${join(dir, file)}`);
      } catch (err) {
        failed.push((err as Error).message);
      }
    }
    if (failed.length) throw new McprunError('MCPRUN_OUTPUT', failed.join('; '));
    stderr.write(`mcprun: reports written to ${resolve(dir)}\n`);
  }
}

export class JunitOutput implements Output {
  readonly name = '--junit';

  constructor(
    readonly path: string,
    readonly models: ReportModelSource,
  ) {}

  start(ctx: OutputContext): void {
    this.models.setContext(ctx);
    checkOutputFile(this.path, `--junit ${this.path}`);
  }

  end(summary: SummaryData): void {
    writeFileAtomic(this.path, renderJunit(this.models.get(summary)), `--junit ${this.path}`);
  }
}
