/**
 * Live progress. On a TTY: one cli-progress bar per scenario (phases in start order) with elapsed
 * and planned time, VUs busy of those allocated, iterations, req/s and errors. Elsewhere (CI logs): one plain status
 * line every 10 s.
 */
import cliProgress from 'cli-progress';
import type { Writable } from 'node:stream';
import { formatMs } from './format.js';

export interface ScenarioProgress {
  name: string;
  state: 'waiting' | 'running' | 'done';
  elapsedMs: number;
  plannedMs: number | undefined;
  iterations: number;
}

export interface ProgressState {
  elapsedMs: number;
  /** The most VUs busy (or in a closed-model loop) at once over the last interval. */
  vus: number;
  /** VUs that exist (an arrival-rate scenario's idle ones included). */
  vusAllocated: number;
  reqRate: number;
  errors: number;
  scenarios: ScenarioProgress[];
}

export interface ProgressDisplay {
  update(s: ProgressState): void;
  stop(): void;
}

const PLAIN_EVERY_MS = 10_000;

export function createProgress(stream: Writable & { isTTY?: boolean }, opts: { enabled: boolean; tty: boolean }): ProgressDisplay {
  if (!opts.enabled) return { update() {}, stop() {} };
  if (!opts.tty) return plainProgress(stream);
  const multi = new cliProgress.MultiBar(
    {
      stream: stream as NodeJS.WriteStream,
      format: '{name} [{bar}] {time} | VUs {vus} | iters {iters} | {rps} req/s | errors {errors}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      forceRedraw: true,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    update(s) {
      const width = Math.max(...s.scenarios.map((x) => x.name.length));
      for (const sc of s.scenarios) {
        let bar = bars.get(sc.name);
        const total = sc.plannedMs ?? 1;
        const payload = {
          name: sc.name.padEnd(width),
          time: sc.state === 'waiting' ? 'waiting' : `${formatMs(sc.elapsedMs)}${sc.plannedMs ? `/${formatMs(sc.plannedMs)}` : ''}${sc.state === 'done' ? ' done' : ''}`,
          vus: sc.state === 'running' ? `${s.vus}/${s.vusAllocated}` : 0,
          iters: sc.iterations,
          rps: sc.state === 'running' ? Math.round(s.reqRate) : 0,
          errors: s.errors,
        };
        const value = sc.state === 'done' ? total : sc.plannedMs ? Math.min(sc.elapsedMs, total) : 0;
        if (!bar) {
          bar = multi.create(total, value, payload);
          bars.set(sc.name, bar);
        } else bar.update(value, payload);
      }
    },
    stop() {
      multi.stop();
    },
  };
}

function plainProgress(stream: Writable): ProgressDisplay {
  let last = 0;
  return {
    update(s) {
      if (s.elapsedMs - last < PLAIN_EVERY_MS) return;
      last = s.elapsedMs;
      const running = s.scenarios.filter((x) => x.state === 'running').map((x) => x.name);
      const iters = s.scenarios.reduce((a, x) => a + x.iterations, 0);
      stream.write(
        `mcprun: ${formatMs(s.elapsedMs)} elapsed, running ${running.join(', ') || '-'}, ${s.vus}/${s.vusAllocated} VUs busy, ${iters} iterations, ${Math.round(s.reqRate)} req/s, ${s.errors} errors\n`,
      );
    },
    stop() {},
  };
}
