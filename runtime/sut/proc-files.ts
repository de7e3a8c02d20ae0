/**
 * Reading Linux /proc for the system under test: one process's stat line, its open-fd count, its
 * children, and the two constants that turn /proc's units into bytes and seconds. Every reader
 * returns undefined for a process that has gone (ENOENT, ESRCH): processes exit between a
 * directory listing and a read, which is normal and never an error.
 *
 * Small files are read into one reused buffer (open, read, close: three syscalls, no allocation
 * but the string), since the sampler reads a few of them per process every second.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, opendirSync, openSync, readSync, readdirSync, statSync } from 'node:fs';

let buffer: Buffer = Buffer.allocUnsafe(8192);

/** The whole file as latin1 text; undefined when it (or its process) no longer exists. */
export function readProcFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (gone(err)) return undefined;
    throw err;
  }
  try {
    let length = 0;
    for (;;) {
      if (length === buffer.length) buffer = grow(buffer);
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return buffer.toString('latin1', 0, length);
  } catch (err) {
    if (gone(err)) return undefined;
    throw err;
  } finally {
    closeSync(fd);
  }
}

function grow(b: Buffer): Buffer {
  const bigger = Buffer.allocUnsafe(b.length * 2);
  b.copy(bigger);
  return bigger;
}

/** A process (or file) that has disappeared, as opposed to one we may not read. */
export function gone(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'ENOENT' || code === 'ESRCH';
}

export interface ProcStat {
  readonly ppid: number;
  /** utime + stime of all the process's threads, live and exited, in clock ticks. */
  readonly cpuTicks: number;
  /** cutime + cstime: the CPU of the children it has reaped (and theirs), in clock ticks. */
  readonly reapedTicks: number;
  readonly threads: number;
  readonly rssPages: number;
  /** Start time in clock ticks since boot: tells a PID from a later process that reuses the number. */
  readonly startTicks: number;
}

/**
 * Fields of /proc/PID/stat (proc(5)): ppid 4, utime 14, stime 15, cutime 16, cstime 17,
 * num_threads 20, starttime 22, rss 24.
 * The command name (field 2) may hold spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state).
  const at = (field: number): number => Number(f[field - 3]);
  const stat = { ppid: at(4), cpuTicks: at(14) + at(15), reapedTicks: at(16) + at(17), threads: at(20), startTicks: at(22), rssPages: at(24) };
  return Object.values(stat).every(Number.isFinite) ? stat : undefined;
}

export function readStat(pid: number): ProcStat | undefined {
  const text = readProcFile(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parseStat(text);
}

let fdDirSizeCounts: boolean | undefined;

/**
 * Open fds of a process. Since Linux 6.2 stat() of /proc/PID/fd reports the count as its size
 * (one syscall at any count); before, the directory is listed (20,000 fds: a few ms).
 * Throws EACCES (another user's process): the caller says what to do about it.
 */
export function countFds(pid: number): number | undefined {
  fdDirSizeCounts ??= statSync('/proc/self/fd').size > 0;
  try {
    return fdDirSizeCounts ? statSync(`/proc/${pid}/fd`).size : readdirSync(`/proc/${pid}/fd`).length;
  } catch (err) {
    if (gone(err)) return undefined;
    throw err;
  }
}

/**
 * Throws EACCES when the process's fds may not be listed (another user's process, without root):
 * stat() of the directory may still succeed there, so it is opened.
 */
export function assertFdsReadable(pid: number): void {
  opendirSync(`/proc/${pid}/fd`).closeSync();
}

/**
 * Direct children of a process: the `children` file of each of its threads (a child belongs to the
 * thread that forked it). Cost grows with the tree's threads, not with the machine's processes.
 */
export function childrenOf(pid: number): number[] | undefined {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch (err) {
    if (gone(err)) return undefined;
    throw err;
  }
  const out: number[] = [];
  for (const tid of tasks) {
    const text = readProcFile(`/proc/${pid}/task/${tid}/children`);
    if (!text) continue;
    for (const word of text.split(' ')) if (word !== '' && word !== '\n') out.push(Number(word));
  }
  return out;
}

export interface ProcConstants {
  readonly pageSize: number;
  readonly clockTicks: number;
}

let constants: ProcConstants | undefined;

/** Page size and USER_HZ, asked of getconf once (4096 and 100 on most machines, but not all: arm64 may use 16 KiB or 64 KiB pages). */
export function procConstants(): ProcConstants {
  constants ??= { pageSize: getconf('PAGESIZE', 4096), clockTicks: getconf('CLK_TCK', 100) };
  return constants;
}

function getconf(name: string, fallback: number): number {
  try {
    const n = Number(execFileSync('getconf', [name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(n) && n > 0 ? n : fallback;
  } catch {
    return fallback;
  }
}
