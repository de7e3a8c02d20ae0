/**
 * The exact count of ESTABLISHED TCP sockets a process tree holds: the socket inodes behind its
 * fds (readlink of /proc/PID/fd/N: `socket:[inode]`), matched against the state column (01) of
 * /proc/PID/net/tcp and tcp6 (read through the tree's own network namespaces, so a server in a
 * container is counted in its own tables).
 *
 * Why it is not run every second: both halves cost time in proportion to the sockets. Measured
 * on the 2-core development machine (bench/sut-sampling.mjs): at 1,000 server connections on
 * loopback (~3,000 table lines with the clients and TIME_WAIT) ~3 ms of readlink and ~4 ms of
 * table read, at 21,000 ~66 ms + ~59 ms, nearly all of it kernel time formatting the table and
 * resolving links; at 100,000 (~200,000 lines, ~30 MB of text) that extrapolates to ~0.6 s.
 * The sampler (proc-sampler.ts) therefore runs a census as often as a CPU budget allows and
 * derives the count in between from the open-fd count, which costs one stat() at any size.
 *
 * A census runs in slices of about a millisecond with the event loop free in between, so even
 * the 0.6 s one never stalls the coordinator (which merges worker snapshots meanwhile).
 */
import { closeSync, openSync, readSync, readdirSync, readlinkSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { gone } from './proc-files.js';

export interface SocketCensus {
  /** Fds listed across the tree (a socket shared by two processes counts twice, as in the fd count). */
  readonly fds: number;
  /** Distinct sockets among them. */
  readonly sockets: number;
  /** Distinct ESTABLISHED TCP sockets among those. */
  readonly established: number;
  /** Time the census held the event loop, ms: its cost (syscall-bound, so CPU time too). */
  readonly costMs: number;
}

const LINKS_PER_SLICE = 512;
const CHUNK = 256 * 1024;

class Slicer {
  costMs = 0;
  #since = performance.now();
  async maybeYield(): Promise<void> {
    const now = performance.now();
    if (now - this.#since < 1) return;
    this.costMs += now - this.#since;
    await yieldToLoop();
    this.#since = performance.now();
  }
  end(): number {
    this.costMs += performance.now() - this.#since;
    return this.costMs;
  }
}

/** Takes the census of `pids` (a whole tree). Throws EACCES when a process's fds may not be read. */
export async function takeSocketCensus(pids: readonly number[]): Promise<SocketCensus> {
  const slicer = new Slicer();
  const inodes = new Set<number>();
  let fds = 0;
  for (const pid of pids) fds += await collectSocketInodes(pid, inodes, slicer);
  const sockets = inodes.size;
  let established = 0;
  for (const pid of namespaceRepresentatives(pids)) {
    for (const table of ['tcp', 'tcp6']) established += await countEstablishedIn(`/proc/${pid}/net/${table}`, inodes, slicer);
  }
  return { fds, sockets, established, costMs: slicer.end() };
}

async function collectSocketInodes(pid: number, into: Set<number>, slicer: Slicer): Promise<number> {
  const dir = `/proc/${pid}/fd/`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if (gone(err)) return 0;
    throw err;
  }
  for (let i = 0; i < names.length; i++) {
    const link = readLink(dir + names[i]);
    // 'socket:[12345]'
    if (link !== undefined && link.startsWith('socket:[')) into.add(Number(link.slice(8, -1)));
    if (i % LINKS_PER_SLICE === LINKS_PER_SLICE - 1) await slicer.maybeYield();
  }
  return names.length;
}

function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch (err) {
    if (gone(err)) return undefined; // closed since the listing
    throw err;
  }
}

/** One process per distinct network namespace among `pids`: the tables are per namespace. */
function namespaceRepresentatives(pids: readonly number[]): number[] {
  const seen = new Map<string, number>();
  for (const pid of pids) {
    const ns = readLink(`/proc/${pid}/ns/net`);
    if (ns !== undefined && !seen.has(ns)) seen.set(ns, pid);
  }
  return [...seen.values()];
}

/** Reads a /proc/net/tcp-format table in chunks; counts (and removes from `inodes`) the ESTABLISHED ones. */
async function countEstablishedIn(path: string, inodes: Set<number>, slicer: Slicer): Promise<number> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (gone(err)) return 0;
    throw err;
  }
  const buf = Buffer.allocUnsafe(CHUNK);
  let count = 0;
  let carry = 0;
  let header = true;
  try {
    for (;;) {
      const n = readSync(fd, buf, carry, CHUNK - carry, null);
      const filled = carry + n;
      const lastNewline = n === 0 ? filled : buf.lastIndexOf(10, filled - 1) + 1;
      count += scanEstablished(buf, header ? buf.indexOf(10) + 1 : 0, lastNewline, inodes);
      header = false;
      if (n === 0) break;
      carry = filled - lastNewline;
      buf.copy(buf, 0, lastNewline, filled);
      await slicer.maybeYield();
    }
  } finally {
    closeSync(fd);
  }
  return count;
}

const SPACE = 32;
const NEWLINE = 10;

/**
 * Lines of /proc/net/tcp{,6} between `start` and `end` (whole lines, no header):
 * `sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...`. Counts those whose state is 01
 * (ESTABLISHED) and whose inode is in `inodes`, removing each from the set as it is counted.
 */
export function scanEstablished(buf: Uint8Array, start: number, end: number, inodes: Set<number>): number {
  let count = 0;
  let pos = start;
  while (pos < end) {
    let lineEnd = buf.indexOf(NEWLINE, pos);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    const st = skipFields(buf, pos, lineEnd, 3);
    if (buf[st] === 48 /* 0 */ && buf[st + 1] === 49 /* 1 */ && buf[st + 2] === SPACE) {
      let i = skipFields(buf, st, lineEnd, 6);
      let inode = 0;
      for (; i < lineEnd && buf[i] >= 48 && buf[i] <= 57; i++) inode = inode * 10 + buf[i] - 48;
      if (inodes.delete(inode)) count++;
    }
    pos = lineEnd + 1;
  }
  return count;
}

/** The index of the start of the field after skipping `n` space-separated fields from `i`. */
function skipFields(buf: Uint8Array, i: number, end: number, n: number): number {
  while (i < end && buf[i] === SPACE) i++;
  for (let k = 0; k < n; k++) {
    while (i < end && buf[i] !== SPACE) i++;
    while (i < end && buf[i] === SPACE) i++;
  }
  return i;
}
