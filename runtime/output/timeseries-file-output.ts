/** `--out json=FILE[,raw]` and `--out csv=FILE`: the time series streamed to a file as the run goes. */
import { McprunError } from '../errors.js';
import type { MetricSnapshot } from '../metrics/worker-store.js';
import { FileSink } from './file-sink.js';
import type { Output, OutputContext } from './output.js';
import { csvHeader, csvLines, NdjsonFormatter } from './timeseries-format.js';
import type { TimeSeries } from './timeseries.js';

export interface OutSpec {
  kind: 'json' | 'csv';
  path: string;
  raw: boolean;
  /** As given on the command line, for messages. */
  source: string;
}

/** `json=FILE`, `json=FILE,raw`, `csv=FILE`. */
export function parseOutSpec(value: string): OutSpec {
  const m = /^(json|csv)=(.*)$/.exec(value.trim());
  if (!m) {
    const kind = value.split('=')[0];
    throw new McprunError(
      'MCPRUN_CLI',
      `invalid --out ${JSON.stringify(value)}: ${value.includes('=') ? `unknown output "${kind}"` : 'expected TYPE=FILE'}; mcprun writes json=FILE[,raw] (NDJSON) and csv=FILE.`,
      { hint: 'For example --out json=results.ndjson or --out csv=results.csv; for reports use --report-dir and --junit.' },
    );
  }
  const kind = m[1] as 'json' | 'csv';
  let path = m[2];
  let raw = false;
  // A last ",word" without a dot or a slash is an option, not part of the file name.
  const opt = /,([^,./\\]*)$/.exec(path);
  if (opt) {
    if (kind !== 'json' || opt[1] !== 'raw') {
      throw new McprunError('MCPRUN_CLI', `invalid --out ${JSON.stringify(value)}: unknown option "${opt[1]}" after the file name; ${kind === 'json' ? 'json takes only ",raw"' : 'csv takes no options'}.`, {
        hint: kind === 'json' ? 'Write --out json=FILE or --out json=FILE,raw.' : 'Write --out csv=FILE.',
      });
    }
    raw = true;
    path = path.slice(0, opt.index);
  }
  if (!path) throw new McprunError('MCPRUN_CLI', `invalid --out ${JSON.stringify(value)}: the file name is empty.`, { hint: `Write --out ${kind}=results.${kind === 'json' ? 'ndjson' : 'csv'}.` });
  return { kind, path, raw, source: value };
}

export class TimeSeriesFileOutput implements Output {
  readonly name: string;
  #sink: FileSink | undefined;
  readonly #json = new NdjsonFormatter();

  constructor(
    readonly spec: OutSpec,
    ts: TimeSeries,
  ) {
    this.name = `--out ${spec.source}`;
    ts.onInterval((c) => this.#sink?.write(spec.kind === 'json' ? this.#json.interval(c) : csvLines(c)));
  }

  start(ctx: OutputContext): void {
    this.#sink = new FileSink(this.spec.path, this.name, (err) => ctx.outputFailed(`${this.name} (moved to ${this.#sink?.path}.partial)`, err));
    if (this.spec.kind === 'csv') this.#sink.write(csvHeader());
  }

  snapshot(worker: number, snap: MetricSnapshot): void {
    if (this.spec.raw) this.#sink?.write(this.#json.raw(worker, snap));
  }

  end(): void {
    this.#sink?.close();
  }
}
