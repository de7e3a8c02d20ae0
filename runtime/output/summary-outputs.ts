/**
 * The end-of-test summary as the two outputs every run may have: the text on stdout (unless
 * --quiet, or the scenario's handleSummary() prints its own) and `--summary-export FILE`.
 */
import { writeFileSync } from 'node:fs';
import type { Output, OutputContext } from './output.js';
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
  #stderr: NodeJS.WritableStream | undefined;

  constructor(readonly path: string) {}

  start(ctx: OutputContext): void {
    this.#stderr = ctx.stderr;
  }

  end(summary: SummaryData): void {
    try {
      writeFileSync(this.path, JSON.stringify(summary, null, 2));
    } catch (err) {
      (this.#stderr ?? process.stderr).write(`mcprun: could not write --summary-export ${this.path}: ${(err as Error).message}\n`);
    }
  }
}
