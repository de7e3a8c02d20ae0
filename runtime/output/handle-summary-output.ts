/**
 * `export function handleSummary(data)` in the scenario, as in k6: it receives the summary data and
 * returns `{ stdout?: string, stderr?: string, [path]: string }`. When the scenario exports it, it
 * replaces the default summary on stdout; if it throws, the default summary is printed instead.
 */
import { McprunError } from '../errors.js';
import { writeFileAtomic } from './output-path.js';
import type { Output, OutputContext } from './output.js';
import type { SummaryData } from './summary-data.js';
import { textSummary } from './text-summary.js';

export type HandleSummary = (data: SummaryData) => unknown;

export class HandleSummaryOutput implements Output {
  readonly name = 'handleSummary()';
  #ctx: OutputContext | undefined;

  constructor(
    readonly fn: HandleSummary,
    readonly opts: { color?: boolean; quiet?: boolean } = {},
  ) {}

  start(ctx: OutputContext): void {
    this.#ctx = ctx;
  }

  async end(summary: SummaryData): Promise<void> {
    const stdout = this.#ctx?.stdout ?? process.stdout;
    const stderr = this.#ctx?.stderr ?? process.stderr;
    let result: unknown;
    try {
      result = await this.fn(summary);
    } catch (err) {
      const e = err as Error;
      stderr.write(`mcprun: handleSummary() threw ${e?.name ?? 'Error'}: ${e?.message ?? String(err)}; printing the default summary instead.\n`);
      if (!this.opts.quiet) {
        const color = this.opts.color ?? (Boolean((stdout as { isTTY?: boolean }).isTTY) && !process.env.NO_COLOR);
        stdout.write(`\n${textSummary(summary, { enableColors: color })}`);
      }
      return;
    }
    if (result === undefined || result === null) return;
    if (typeof result !== 'object' || Array.isArray(result)) {
      stderr.write(`mcprun: handleSummary() must return an object such as { stdout: textSummary(data), 'summary.json': JSON.stringify(data) }, received ${Array.isArray(result) ? 'an array' : typeof result}.\n`);
      return;
    }
    const failed: string[] = [];
    for (const [key, value] of Object.entries(result as Record<string, unknown>)) {
      let content: string | Uint8Array;
      if (typeof value === 'string') content = value;
      else if (value instanceof Uint8Array) content = value;
      else if (value instanceof ArrayBuffer) content = new Uint8Array(value);
      else {
        stderr.write(`mcprun: handleSummary() returned ${typeof value} for ${JSON.stringify(key)}; expected a string (use JSON.stringify(...) for objects).\n`);
        continue;
      }
      if (key === 'stdout') stdout.write(content);
      else if (key === 'stderr') stderr.write(content);
      else {
        try {
          writeFileAtomic(key, content, `the handleSummary() output ${key}`);
        } catch (err) {
          failed.push((err as Error).message);
        }
      }
    }
    if (failed.length) throw new McprunError('MCPRUN_OUTPUT', failed.join('; '));
  }
}
