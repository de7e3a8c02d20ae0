/**
 * Before any load: will the sockets the plan needs fit under the open-file limit?
 *
 * The rule (documented in the README):
 * - Every VU may hold 1 connection (an HTTP keep-alive connection, a WebSocket, an MCP session).
 * - Peak VUs = the largest sum of VUs (`maxVUs`, or `vus`, or the highest stage target) over
 *   scenarios that can run at the same time (the run's plan, plan.ts, computes it).
 * - VUs are spread evenly over workers. Threads share one process, so one process holds every
 *   socket; with `--pool processes` each process holds its share.
 * - Per process: sockets x 1.05 + 100 file descriptors (stdio, event loop, IPC, bundle, DNS, the
 *   odd file the scenario opens) must not exceed the soft open-file limit (`ulimit -n`).
 * When it does not fit, the run stops with exit 104 and names a `--workers N --pool processes`
 * that fits.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { McprunError } from '../errors.js';
import { checkLocalIps, parseLocalIps, type LocalIpRange } from '../protocols/local-ips.js';
import type { PeakVus, RunPlan } from './plan.js';
import type { PoolKind } from './worker-pool.js';

export const SOCKETS_PER_VU = 1;
export const FD_HEADROOM = 0.05;
export const FD_RESERVED = 100;

let cachedLimit: number | null | undefined;

/** The soft RLIMIT_NOFILE of this process (children inherit it); undefined when unknown. */
export function openFileLimit(): number | undefined {
  if (cachedLimit !== undefined) return cachedLimit ?? undefined;
  cachedLimit = null;
  try {
    const m = /^Max open files\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) cachedLimit = m[1] === 'unlimited' ? Infinity : Number(m[1]);
  } catch {
    try {
      const out = execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 5000 }).trim();
      cachedLimit = out === 'unlimited' ? Infinity : Number(out);
    } catch {
      cachedLimit = null;
    }
  }
  if (cachedLimit !== null && !(cachedLimit > 0)) cachedLimit = null;
  return cachedLimit ?? undefined;
}

/** Open files one process needs for `vus` VUs' sockets. */
export function filesForVus(vus: number): number {
  return Math.ceil(vus * SOCKETS_PER_VU * (1 + FD_HEADROOM)) + FD_RESERVED;
}

/** The smallest `--workers` with `--pool processes` whose processes each fit under `limit`. */
export function workersThatFit(peakVus: number, limit: number): number | undefined {
  if (filesForVus(1) > limit) return undefined;
  const perProcess = Math.floor(((limit - FD_RESERVED) / (1 + FD_HEADROOM)) / SOCKETS_PER_VU);
  let w = Math.max(1, Math.ceil(peakVus / Math.max(1, perProcess)));
  while (filesForVus(Math.ceil(peakVus / w)) > limit) w++;
  return w;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Throws MCPRUN_CONFIG (exit 104) when the plan's sockets do not fit under the open-file limit. */
export function checkSocketBudget(peak: PeakVus, workers: number, pool: PoolKind, limit = openFileLimit()): void {
  if (limit === undefined || limit === Infinity) return;
  const processes = pool === 'processes' ? workers : 1;
  const vusPerProcess = Math.ceil(peak.vus / processes);
  const need = filesForVus(vusPerProcess);
  if (need <= limit) return;
  const fit = workersThatFit(peak.vus, limit);
  const which = peak.scenarios.length === 1 ? `scenario "${peak.scenarios[0]}"` : `scenarios ${peak.scenarios.map((s) => `"${s}"`).join(' + ')}, which can run at the same time`;
  const where = pool === 'processes' ? `each of the ${workers} worker processes (--pool processes)` : `the one process that --pool threads uses for all ${workers} worker${workers === 1 ? '' : 's'}`;
  throw new McprunError(
    'MCPRUN_CONFIG',
    `the plan needs more sockets than the open-file limit allows: up to ${fmt(peak.vus)} VUs at once (${which}) × ${SOCKETS_PER_VU} connection each, plus headroom, is ${fmt(need)} open files in ${where}, but the open-file limit (ulimit -n) is ${fmt(limit)}.`,
    {
      hint: fit
        ? `Run with --workers ${fit} --pool processes (about ${fmt(filesForVus(Math.ceil(peak.vus / fit)))} open files per process), or raise the limit (ulimit -n) where you can.`
        : `Raise the open-file limit (ulimit -n): even one VU per process does not fit under ${fmt(limit)}.`,
    },
  );
}

export interface PoolPlan {
  pool: PoolKind;
  localIps: LocalIpRange[] | undefined;
}

/** Everything `--pool` and `--local-ips` need before the workers start; bad values are exit 104. */
export async function preparePool(plan: RunPlan, pool: string | undefined, localIps: string | undefined): Promise<PoolPlan> {
  if (pool !== undefined && pool !== 'threads' && pool !== 'processes') {
    throw new McprunError('MCPRUN_CLI', `invalid --pool ${JSON.stringify(pool)}: expected "threads" or "processes".`, { hint: 'Use --pool processes when one process cannot hold all sockets (open-file limit).' });
  }
  const kind: PoolKind = pool ?? 'threads';
  let ranges: LocalIpRange[] | undefined;
  if (localIps !== undefined) {
    ranges = parseLocalIps(localIps);
    await checkLocalIps(localIps, ranges);
  }
  checkSocketBudget(plan.peak, plan.workers, kind);
  return { pool: kind, localIps: ranges };
}
