/** Runs of the faults fixture (test/fixtures/faults/faulted.ts) and the processes they manage. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { serverForTest, type Handler } from './http-server.js';
import { runCli } from './run-cli.js';
import { readSummary, summaryPath } from './summary.js';

export const SCENARIO = 'test/fixtures/faults/faulted.ts';

/** The fixture's variables as -e flags (objects as JSON). */
export function env(vars: Record<string, string | object>): string[] {
  return Object.entries(vars).flatMap(([k, v]) => ['-e', `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`]);
}

/** One run of the fixture against a new counting server; the summary when the run got as far as one. */
export async function faulted(vars: Record<string, string | object>, handler?: Handler, extra: string[] = []) {
  const server = await serverForTest(handler);
  const out = summaryPath('mcprun-faults-');
  const r = await runCli([SCENARIO, '--quiet', '--summary-export', out, ...env({ UPSTREAM: server.url, ...vars }), ...extra], { timeoutMs: 90_000 });
  return { r, server, summary: r.code === 0 || r.code === 99 ? readSummary(out) : undefined };
}

/**
 * The process lives: one of its threads does. A zombie (killed, not yet reaped by an init that may
 * never reap it) does not, but Node's main thread can turn zombie while its other threads are still
 * exiting, and they hold the process's files (a listening socket that resets a connection made
 * meanwhile) until the last of them has gone.
 */
export function running(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).some((tid) => {
      try {
        return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** The processes still alive after up to `ms` (a SIGKILL is delivered at once, but a loaded machine schedules the exit later). */
export async function survivors(pids: number[], ms = 3000): Promise<number[]> {
  const end = Date.now() + ms;
  while (pids.some(running) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return pids.filter(running);
}

/** The run's folder inside --report-dir. */
export function reportFolder(dir: string): string {
  const sub = readdirSync(dir).find((d) => statSync(join(dir, d)).isDirectory());
  return join(dir, sub ?? '-');
}
