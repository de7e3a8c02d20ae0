/**
 * The coordinator pod's results, carried to `mcprun k8s --apply` at the end of its log. A pod that
 * has ended cannot be `kubectl exec`'d or `kubectl cp`'d, and its /results emptyDir goes with it,
 * but its log stays readable until the Job's TTL: so pod 0 (told so by MCPRUN_LOG_RESULTS=1, which
 * the Job sets under --apply) prints its exit code and the files of its working folder as one
 * framed block after everything else, and the local side takes the block out of the log it shows.
 *
 *   mcprun-results-begin v1 <bytes> <sha256>
 *   mcprun-results <76 characters of base64>
 *   ...
 *   mcprun-results-end
 *
 * The base64 is of gzipped JSON (`ResultsPayload`). Every data line carries the prefix, so a line
 * of stderr that the container log interleaves into the block is shown, not decoded; the length
 * and the SHA-256 catch a block cut short (a log rotated by the kubelet, a stream that broke).
 * Pure: text in, text out; reading the folder is results-pack.ts's.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

/** Set to 1 on the Job's pods by `mcprun k8s --apply`: the coordinator ends its log with the block. */
export const LOG_RESULTS_ENV = 'MCPRUN_LOG_RESULTS';

const BEGIN = 'mcprun-results-begin';
const DATA = 'mcprun-results ';
const END = 'mcprun-results-end';
const LINE = 76;

export interface ResultsPayload {
  v: 1;
  /** The run's exit code, as the coordinator returns it. */
  exitCode: number;
  /** Path relative to the pod's working folder (`/`-separated) -> content, base64. */
  files: Record<string, string>;
  /** Files left out because the block would have grown past its budget. */
  skipped: Array<{ path: string; bytes: number }>;
}

export function encodeResultsBlock(payload: ResultsPayload): string {
  const data = gzipSync(Buffer.from(JSON.stringify(payload))).toString('base64');
  const lines = [`${BEGIN} v1 ${data.length} ${sha256(data)}`];
  for (let i = 0; i < data.length; i += LINE) lines.push(DATA + data.slice(i, i + LINE));
  lines.push(END);
  return `${lines.join('\n')}\n`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Reads a log as it streams: `feed()` returns what to show (whole lines outside the block), the
 * block is gathered aside. A block begun and never ended, or whose checksum differs, is `problem`.
 */
export class ResultsBlockReader {
  #partial = '';
  #open: { bytes: number; sha: string; chunks: string[] } | undefined;
  /** Whole lines seen so far, block lines included (to resume a log without showing lines twice). */
  lines = 0;
  payload: ResultsPayload | undefined;
  problem: string | undefined;

  feed(text: string): string {
    const all = this.#partial + text;
    const cut = all.lastIndexOf('\n');
    if (cut < 0) {
      this.#partial = all;
      return '';
    }
    this.#partial = all.slice(cut + 1);
    let shown = '';
    for (const line of all.slice(0, cut).split('\n')) {
      this.lines++;
      if (!this.#take(line.endsWith('\r') ? line.slice(0, -1) : line)) shown += `${line}\n`;
    }
    return shown;
  }

  /** A stream that starts the log again from its beginning gives the unfinished line again, whole. */
  restart(): void {
    this.#partial = '';
  }

  /** The end of the log: a last line without its newline, and a block left open. */
  end(): string {
    const rest = this.#partial;
    this.#partial = '';
    const shown = rest && !this.#take(rest) ? rest : '';
    if (this.#open) {
      this.problem = `the results block at the end of the log was cut short (${this.#open.chunks.join('').length} of ${this.#open.bytes} characters)`;
      this.#open = undefined;
    }
    return shown;
  }

  /** Whether the line belongs to the block (and so is not shown). */
  #take(line: string): boolean {
    if (line.startsWith(`${BEGIN} `)) {
      const [, v, bytes, sha] = line.split(' ');
      if (v !== 'v1' || !/^\d+$/.test(bytes ?? '') || !/^[0-9a-f]{64}$/.test(sha ?? '')) return false;
      this.#open = { bytes: Number(bytes), sha: sha!, chunks: [] };
      return true;
    }
    if (!this.#open) return false;
    if (line.startsWith(DATA)) {
      this.#open.chunks.push(line.slice(DATA.length).trim());
      return true;
    }
    if (line.trim() !== END) return false;
    this.#close(this.#open);
    this.#open = undefined;
    return true;
  }

  #close(open: { bytes: number; sha: string; chunks: string[] }): void {
    const data = open.chunks.join('');
    if (data.length !== open.bytes || sha256(data) !== open.sha) {
      this.problem = `the results block at the end of the log is damaged (${data.length} of ${open.bytes} characters, checksum ${sha256(data) === open.sha ? 'matches' : 'differs'})`;
      return;
    }
    try {
      const p = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as ResultsPayload;
      if (p.v !== 1 || !Number.isInteger(p.exitCode) || typeof p.files !== 'object') throw new Error('not a v1 payload');
      this.payload = { ...p, skipped: p.skipped ?? [] };
      this.problem = undefined;
    } catch (err) {
      this.problem = `the results block at the end of the log does not decode (${(err as Error).message})`;
    }
  }
}
