/**
 * The system under test as /proc sees it: one or more PIDs and all their descendants, summed.
 * One `sample()` per second gives sut_rss, sut_cpu, sut_open_fds, sut_threads and sut_connections.
 *
 * Cost, and the decision it forced (bench/sut-sampling.mjs, 2-core shared machine, a parent and
 * a child server process holding the connections, loopback clients in two other processes):
 * - Every second: per process of the tree, /proc/PID/stat, one stat() of /proc/PID/fd (the fd
 *   count, Linux >= 6.2) and the `children` files of its threads: 0.15-0.25 ms of CPU per sample
 *   for two Node processes (~0.5 ms when taken once a second with cold caches), whatever the
 *   number of connections.
 * - Connections need the exact census of socket-census.ts, whose cost grows with the sockets:
 *   13 ms of CPU at 1,000 connections with 5,500 table lines (the clients' ends and every
 *   TIME_WAIT socket of the machine are in the same tables: 43 ms with 28,000), 148-171 ms at
 *   21,000 (43,000-52,000 lines), ~0.8 s extrapolated to 100,000 (~200,000 lines). Run every
 *   second that is 13-43 and 148-171 ms of CPU per second.
 *   So a census runs when the last one's cost fits a budget (default 2 ms per real second:
 *   every ~7-15 s at 1,000, every ~1.5 min at 21,000, every ~7 min at 100,000), and also once
 *   the fd count settles at a new level (a plateau, where sut_memory_per_connection is
 *   measured), at most four times as often. The cost is the wall time a census held the event
 *   loop (Node 20 has no per-thread CPU clock); on a busy machine that exceeds its CPU time, so
 *   the spacing errs long. Measured as it runs (whole process, idle subtracted): 1.7-2.5 ms of
 *   CPU per second at 1,000 and at 21,000 connections, 1-6 % of a census every second.
 *   In between, sut_connections = open fds - (fds that were not established TCP sockets at the
 *   last census): exact as long as the server's other fds (listeners, files, pipes) stay as they
 *   were, which is what they do while connections ramp; the next census corrects any drift.
 *   /proc/net/sockstat, the cheap alternative, counts the whole machine, not the tree.
 *
 * CPU: utime+stime deltas per process over the real (monotonic) clock, plus the CPU of children
 * reaped in the interval (their parent's cutime/cstime delta, less what was already counted of
 * them), so a server that forks short-lived workers is charged for them too.
 *
 * A root PID that exits (or whose number is reused) ends its series: a warning, then samples
 * without values (a gap), never a throw: the sums would otherwise silently cover less.
 */
import { childrenOf, countFds, procConstants, readStat, type ProcStat } from './proc-files.js';
import { takeSocketCensus, type SocketCensus } from './socket-census.js';
import { SUT_METRIC } from '../metrics/sut-catalogue.js';
import type { SutValues, SutWarning } from './types.js';

export interface ProcSamplerOptions {
  /** Share of real time the connection census may use (0.002: 2 ms of CPU per second). */
  readonly censusBudget?: number;
  /** No census closer together than this, ms. */
  readonly minCensusGapMs?: number;
}

export interface ProcReading {
  /** Empty while a root PID is gone (a gap). */
  readonly values: SutValues;
  readonly warnings: SutWarning[];
  /** Processes in the tree at this reading. */
  readonly pids: readonly number[];
}

interface Seen {
  readonly stat: ProcStat;
}

export class ProcSampler {
  readonly roots: readonly number[];
  readonly #rootStart = new Map<number, number>();
  readonly #gone = new Set<number>();
  readonly #budget: number;
  readonly #minGap: number;
  #prev = new Map<number, Seen>();
  #prevAt = 0;
  #fdsDenied = false;
  #pids: number[] = [];
  #census: SocketCensus | undefined;
  /** Fds that were not established TCP sockets at the last census taken while the fds held still. */
  #offset: { readonly fds: number; readonly others: number } | undefined;
  #censusEnd = -Infinity;
  #censusRunning: Promise<void> | undefined;
  #lastFds: number[] = [];
  #pendingWarnings: SutWarning[] = [];

  constructor(roots: readonly number[], opts: ProcSamplerOptions = {}) {
    this.roots = [...new Set(roots)];
    this.#budget = opts.censusBudget ?? 0.002;
    this.#minGap = opts.minCensusGapMs ?? 1000;
    // checkSutPids has said they exist; one that exited since shows as gone at the first sample.
    for (const pid of this.roots) this.#rootStart.set(pid, readStat(pid)?.startTicks ?? -1);
  }

  /** Censuses taken so far. */
  censuses = 0;

  /** The last census, if any (its cost is the figure the budget is applied to). */
  get lastCensus(): SocketCensus | undefined {
    return this.#census;
  }

  /** Reads the whole tree now. `now` is monotonic ms (performance.now()). */
  sample(now = performance.now(), epoch = Date.now()): ProcReading {
    const warnings = this.#pendingWarnings;
    this.#pendingWarnings = [];
    if (this.#gone.size > 0) return { values: {}, warnings, pids: [] };
    const stats = this.#readTree();
    this.#checkRoots(stats, epoch, warnings);
    if (this.#gone.size > 0) return { values: {}, warnings, pids: [] };
    const values = this.#sum(stats, epoch, warnings);
    const cpu = this.#cpuSince(stats, now);
    if (cpu !== undefined) values[SUT_METRIC.cpu] = cpu;
    this.#prev = stats;
    this.#prevAt = now;
    return { values, warnings, pids: this.#pids };
  }

  /** Runs a census if one is due (see the header); the next sample uses it. Never rejects. */
  maybeCensus(now = performance.now()): Promise<void> | undefined {
    if (this.#censusRunning || this.#gone.size > 0 || this.#fdsDenied || this.#pids.length === 0) return undefined;
    const spacing = this.#census ? this.#census.costMs / this.#budget : 0;
    const due = now - this.#censusEnd >= Math.max(this.#minGap, spacing);
    const settled = this.#settledAtNewLevel() && now - this.#censusEnd >= Math.max(this.#minGap, spacing / 4);
    return due || settled ? this.census() : undefined;
  }

  /**
   * Runs a census now (the sampler's start takes one before any load). Never rejects. A census
   * taken while the fd count moved (a ramp: fds are listed before the tables are read) updates
   * its cost but not the offset, which would carry the skew.
   */
  census(): Promise<void> {
    // Before the first sample the tree is read here: the census must cover what the samples count.
    if (this.#pids.length === 0) this.#readTree();
    const pids = this.#pids;
    const before = this.#totalFds(pids);
    this.#censusRunning ??= takeSocketCensus(pids)
      .then((c) => {
        this.#census = c;
        this.censuses++;
        const after = this.#totalFds(pids);
        if (before !== undefined && after !== undefined && Math.abs(after - before) <= Math.max(2, 0.001 * after)) {
          this.#offset = { fds: c.fds, others: c.fds - c.established };
        }
      })
      .catch((err: unknown) => {
        this.#pendingWarnings.push({
          code: 'sut_census_failed',
          message: `counting the connections of PID ${this.roots.join(', ')} failed (${(err as Error).message}); sut_connections keeps its last count`,
          time: Date.now(),
        });
      })
      .finally(() => {
        this.#censusEnd = performance.now();
        this.#censusRunning = undefined;
      });
    return this.#censusRunning;
  }

  #totalFds(pids: readonly number[]): number | undefined {
    try {
      return sumFds(pids);
    } catch {
      return undefined;
    }
  }

  /** Marks the roots that exited (or whose number was reused) since the last reading as gone. */
  #checkRoots(stats: Map<number, Seen>, epoch: number, warnings: SutWarning[]): void {
    for (const [pid, start] of this.#rootStart) {
      if (this.#gone.has(pid)) continue;
      const s = stats.get(pid)?.stat;
      if (s !== undefined && s.startTicks === start) continue;
      this.#gone.add(pid);
      warnings.push({
        code: 'sut_pid_exited',
        message: `the system under test, PID ${pid}, ${s === undefined ? 'exited' : 'exited and its number was reused'}; its sut_* series stop here (a gap until the end of the run)`,
        time: epoch,
      });
    }
  }

  #readTree(): Map<number, Seen> {
    const out = new Map<number, Seen>();
    const queue = [...this.roots];
    for (let i = 0; i < queue.length; i++) {
      const pid = queue[i];
      if (out.has(pid)) continue;
      const stat = readStat(pid);
      if (stat === undefined) continue;
      out.set(pid, { stat });
      const kids = childrenOf(pid);
      if (kids) queue.push(...kids);
    }
    this.#pids = [...out.keys()];
    return out;
  }

  #sum(stats: Map<number, Seen>, epoch: number, warnings: SutWarning[]): SutValues {
    const { pageSize } = procConstants();
    let rss = 0;
    let threads = 0;
    for (const { stat } of stats.values()) {
      rss += stat.rssPages * pageSize;
      threads += stat.threads;
    }
    const values: SutValues = { [SUT_METRIC.rss]: rss, [SUT_METRIC.threads]: threads };
    const fds = this.#countFds(epoch, warnings);
    if (fds === undefined) return values;
    values[SUT_METRIC.openFds] = fds;
    this.#lastFds = [...this.#lastFds.slice(-1), fds];
    if (this.#offset) values[SUT_METRIC.connections] = Math.max(0, fds - this.#offset.others);
    return values;
  }

  #countFds(epoch: number, warnings: SutWarning[]): number | undefined {
    if (this.#fdsDenied) return undefined;
    try {
      return sumFds(this.#pids);
    } catch (err) {
      this.#fdsDenied = true;
      warnings.push({
        code: 'sut_fds_denied',
        message: `the open fds of the system under test cannot be read (${(err as Error).message}): run mcprun as the user that runs the server, or as root; sut_open_fds and sut_connections are not measured`,
        time: epoch,
      });
      return undefined;
    }
  }

  /** CPU-seconds per real second since the previous sample (undefined at the first one). */
  #cpuSince(stats: Map<number, Seen>, now: number): number | undefined {
    if (this.#prev.size === 0) return undefined;
    const seconds = (now - this.#prevAt) / 1000;
    if (!(seconds > 0)) return undefined;
    let ticks = 0;
    const vanishedTicksByParent = new Map<number, number>();
    for (const [pid, { stat }] of this.#prev) {
      const still = stats.get(pid);
      if (still && still.stat.startTicks === stat.startTicks) continue;
      vanishedTicksByParent.set(stat.ppid, (vanishedTicksByParent.get(stat.ppid) ?? 0) + stat.cpuTicks + stat.reapedTicks);
    }
    for (const [pid, { stat }] of stats) {
      const before = this.#prev.get(pid)?.stat;
      if (before === undefined || before.startTicks !== stat.startTicks) {
        ticks += stat.cpuTicks + stat.reapedTicks; // born since the last sample
        continue;
      }
      const reaped = stat.reapedTicks - before.reapedTicks - (vanishedTicksByParent.get(pid) ?? 0);
      ticks += stat.cpuTicks - before.cpuTicks + Math.max(0, reaped);
    }
    return ticks / procConstants().clockTicks / seconds;
  }

  /** The fd count has held still for two samples at a level the last steady census did not see. */
  #settledAtNewLevel(): boolean {
    if (this.#census === undefined || this.#lastFds.length < 2) return false;
    const [a, b] = this.#lastFds;
    return Math.abs(a - b) <= tolerance(b) && (this.#offset === undefined || Math.abs(b - this.#offset.fds) > tolerance(b));
  }
}

/** Open fds of the processes, summed; throws EACCES. */
function sumFds(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) total += countFds(pid) ?? 0;
  return total;
}

/** How far apart two fd counts may be and still be "the same level". */
function tolerance(fds: number): number {
  return Math.max(2, 0.01 * fds);
}
