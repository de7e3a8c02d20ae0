/**
 * The run's requests in 1 s windows from the start of the load, as recovery.ts reads them:
 * requests completed, how many failed, and their latency histogram. A request is an HTTP request
 * (http_req_failed, http_req_duration) or an MCP request (mcp_req_failed, mcp_req_duration), to
 * any target: recovery is judged on what the load as a whole sees.
 *
 * Workers post deltas about once a second, and one more right before a fault turns on or off
 * (worker-loop.ts), so no delta mixes samples from both sides of a change. A delta covers the
 * time since the same worker's previous one; it goes to the window that holds its middle. The
 * resolution is therefore one window; the time of a fault's change is exact.
 */
import { METRIC } from '../metrics/builtin.js';
import { addTransfer, createHistogram } from '../metrics/hdr.js';
import type { MetricSnapshot } from '../metrics/worker-store.js';
import type { RecoveryWindow } from './recovery.js';

export const WINDOW_MS = 1000;

const FAILED = new Set<string>([METRIC.http_req_failed, METRIC.mcp_req_failed]);
const DURATION = new Set<string>([METRIC.http_req_duration, METRIC.mcp_req_duration]);

export class RequestWindows {
  readonly #windows = new Map<number, RecoveryWindow>();
  readonly #lastAt = new Map<number, number>();

  /**
   * `origin`: epoch ms of the start of the load; `defaultSpanMs`: what a source's first delta covers.
   */
  constructor(
    readonly origin: () => number | undefined,
    readonly defaultSpanMs: number,
  ) {}

  /**
   * Adds one delta; returns the time it stands for (its middle, ms from the start of the load) and
   * its requests, or undefined when it holds none (or came before the load).
   */
  add(source: number, snap: MetricSnapshot): { at: number; requests: number; failed: number } | undefined {
    const origin = this.origin();
    const prev = this.#lastAt.get(source) ?? snap.at - this.defaultSpanMs;
    this.#lastAt.set(source, snap.at);
    if (origin === undefined) return undefined;
    const middle = (prev + snap.at) / 2 - origin;
    if (middle < 0) return undefined;
    let w: RecoveryWindow | undefined;
    let requests = 0;
    let failed = 0;
    for (const d of snap.series) {
      const isFailed = FAILED.has(d.metric);
      if (!isFailed && !DURATION.has(d.metric)) continue;
      w ??= this.#window(Math.floor(middle / WINDOW_MS));
      if (isFailed) {
        requests += d.count;
        failed += d.sum;
      } else if (d.hist) addTransfer(w.histogram!, d.hist);
    }
    if (!w) return undefined;
    w.requests += requests;
    w.failed += failed;
    return { at: middle, requests, failed };
  }

  #window(index: number): RecoveryWindow {
    let w = this.#windows.get(index);
    if (!w) this.#windows.set(index, (w = { start: index * WINDOW_MS, durationMs: WINDOW_MS, requests: 0, failed: 0, histogram: createHistogram() }));
    return w;
  }

  /**
   * The windows that ended by `nowMs` (ms from the start of the load), in order, each window
   * without a delta as an empty one (no requests: not healthy). `all`: the open last one too.
   */
  closed(nowMs: number, all = false): RecoveryWindow[] {
    const out: RecoveryWindow[] = [];
    const last = all ? Math.max(-1, ...this.#windows.keys()) : Math.floor(nowMs / WINDOW_MS) - 1;
    for (let i = 0; i <= last; i++) out.push(this.#windows.get(i) ?? { start: i * WINDOW_MS, durationMs: WINDOW_MS, requests: 0, failed: 0 });
    return out;
  }

}
