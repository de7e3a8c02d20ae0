/**
 * The end-of-test summary as the two outputs every run may have: the text on stdout (unless
 * --quiet, or the scenario's handleSummary() prints its own) and `--summary-export FILE`.
 */
import type { Output, OutputContext } from './output.js';
import { checkOutputFile, writeFileAtomic } from './output-path.js';
import type { SummaryData } from './summary-data.js';
import { textSummary } from './text-summary.js';

export class TextSummaryOutput implements Output {
  readonly name = 'summary';
  #stdout: (NodeJS.WritableStream & { isTTY?: boolean }) | undefined;

  constructor(readonly color: boolean | undefined) {}

  start(ctx: OutputContext): void {
    this.#stdout = ctx.stdout;
  }

  end(summary: SummaryData): void {
    const stdout = this.#stdout ?? process.stdout;
    const color = this.color ?? (Boolean(stdout.isTTY) && !process.env.NO_COLOR);
    stdout.write(`\n${textSummary(summary, { enableColors: color })}`);
  }
}

export class SummaryExportOutput implements Output {
  readonly name = '--summary-export';

  constructor(readonly path: string) {}

  start(): void {
    checkOutputFile(this.path, `--summary-export ${this.path}`);
  }

  end(summary: SummaryData): void {
    writeFileAtomic(this.path, JSON.stringify(summary, null, 2), `--summary-export ${this.path}`);
  }
}
