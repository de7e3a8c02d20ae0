/**
 * The exact count of ESTABLISHED TCP sockets a process tree holds: the socket inodes behind its
 * fds (readlink of /proc/PID/fd/N: `socket:[inode]`), matched against the state column (01) of
 * /proc/PID/net/tcp and tcp6 (read through the tree's own network namespaces, so a server in a
 * container is counted in its own tables).
 *
 * Why it is not run every second: both halves cost time in proportion to the sockets, nearly
 * all of it kernel time resolving links and formatting the tables. Measured on the 2-core
 * development machine (bench/sut-sampling.mjs): 13 ms of CPU at 1,000 server connections on
 * loopback (5,500 table lines: the clients' ends and TIME_WAIT sockets are listed too), 156-171
 * ms at 21,000 (43,000-52,000 lines); at 100,000 (~200,000 lines, ~30 MB of text) that
 * extrapolates to ~0.8 s. The sampler (proc-sampler.ts) therefore runs a census as often as a
 * CPU budget allows and derives the count in between from the open-fd count, which costs one
 * stat() at any size.
 *
 * A census runs in slices (256 fds, or reads of a table, 4 KiB each, for about a millisecond)
 * with the event loop free in between, so even the 0.8 s one never stalls the coordinator,
 * which merges worker snapshots meanwhile. The longest slice measured at 21,000 connections is
 * ~13 ms: the last read of /proc/net/tcp, where the kernel walks the rest of its (empty) hash
 * buckets to find the end, ~4.5 ms in one syscall on this 24 GiB machine.
 */
import { closeSync, opendirSync, openSync, readSync, readlinkSync, type Dir, type Dirent } from 'node:fs';
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
  /** The longest the loop was held at once, ms. */
  readonly longestSliceMs: number;
}

const LINKS_PER_SLICE = 256;
const CHUNK = 256 * 1024;

class Slicer {
  costMs = 0;
  longestMs = 0;
  #since = performance.now();
  async maybeYield(): Promise<void> {
    if (performance.now() - this.#since < 1) return;
    this.#close();
    await yieldToLoop();
    this.#since = performance.now();
  }
  end(): { costMs: number; longestSliceMs: number } {
    this.#close();
    return { costMs: this.costMs, longestSliceMs: this.longestMs };
  }
  #close(): void {
    const held = performance.now() - this.#since;
    this.costMs += held;
    this.longestMs = Math.max(this.longestMs, held);
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
  const buf = Buffer.allocUnsafe(CHUNK);
  for (const pid of namespaceRepresentatives(pids)) {
    for (const table of ['tcp', 'tcp6']) established += await countEstablishedIn(`/proc/${pid}/net/${table}`, inodes, buf, slicer);
  }
  return { fds, sockets, established, ...slicer.end() };
}

async function collectSocketInodes(pid: number, into: Set<number>, slicer: Slicer): Promise<number> {
  const path = `/proc/${pid}/fd`;
  let dir: Dir;
  try {
    // Entry by entry, not readdirSync: listing 10,000 fds at once holds the loop for ~15 ms.
    dir = opendirSync(path, { bufferSize: 128 });
  } catch (err) {
    if (gone(err)) return 0;
    throw err;
  }
  let fds = 0;
  try {
    for (let entry = readEntry(dir); entry !== null; entry = readEntry(dir)) {
      fds++;
      const link = readLink(`${path}/${entry.name}`);
      // 'socket:[12345]'
      if (link !== undefined && link.startsWith('socket:[')) into.add(Number(link.slice(8, -1)));
      if (fds % LINKS_PER_SLICE === 0) await slicer.maybeYield();
    }
  } finally {
    dir.closeSync();
  }
  return fds;
}

/** The next entry; null at the end, or when the process exits while being listed. */
function readEntry(dir: Dir): Dirent | null {
  try {
    return dir.readSync();
  } catch (err) {
    if (gone(err)) return null;
    throw err;
  }
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
async function countEstablishedIn(path: string, inodes: Set<number>, buf: Buffer, slicer: Slicer): Promise<number> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (gone(err)) return 0;
    throw err;
  }
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
