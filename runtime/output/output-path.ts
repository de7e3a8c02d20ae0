/**
 * Where outputs write, checked the same way for every one of them before any load is sent
 * (--summary-export, --out, --junit, --report-dir): missing parent folders are created, a folder,
 * an unwritable or read-only place and /proc are refused with the reason and the fix (exit 104).
 * Files written at the end go to a temporary name beside the final one and are renamed into place,
 * so a full disk or a crash never leaves a truncated file under the name a CI job reads.
 */
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { McprunError } from '../errors.js';
import { maskText } from './mask-secrets.js';

/** What to do about a file-system error, by its code: the sentence after the path in every message. */
export function pathProblem(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'the folder does not exist and cannot be created there (a path under /proc or /sys?); pick a folder on a disk';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied; pick a folder you can write to';
    case 'EROFS':
      return 'the file system is read-only; pick a folder on a writable disk';
    case 'EISDIR':
      return 'it is a folder; give a file name inside it, e.g. DIR/results.json';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder; fix the path';
    case 'ENAMETOOLONG':
      return 'the name is too long (a file name may have at most 255 bytes); shorten it';
    case 'ENOSPC':
      return 'the disk is full; free space or write elsewhere';
    case 'EDQUOT':
      return 'the disk quota is used up; free space or write elsewhere';
    default:
      return `${e?.code ?? 'error'}: ${e?.message ?? String(err)}`;
  }
}

/**
 * mkdir -p that cannot hang: Node's recursive mkdirSync loops forever under /proc. Each missing
 * level is created on its own, from the deepest folder that exists.
 */
export function ensureFolder(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  while (!existsSync(d)) {
    missing.unshift(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  if (existsSync(d) && !statSync(d).isDirectory()) throw Object.assign(new Error(`${d} is a file`), { code: 'ENOTDIR' });
  for (const m of missing) mkdirSync(m);
}

/**
 * The check every output file passes before load: its folder exists (created if missing) and takes
 * a new file, and the path is not a folder. Returns the absolute path. 104 with the fix otherwise;
 * `label` names the output and its path in the message ("--junit out/junit.xml").
 */
export function checkOutputFile(path: string, label: string): string {
  const abs = resolve(path);
  try {
    if (existsSync(abs) && statSync(abs).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    ensureFolder(dirname(abs));
    // The file itself when it is new (its name's length is checked too), a file beside it otherwise.
    const probe = existsSync(abs) ? tempName(abs) : abs;
    if (probe !== abs) accessSync(abs, constants.W_OK);
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
    return abs;
  } catch (err) {
    throw new McprunError('MCPRUN_CONFIG', `cannot write ${label}: ${pathProblem(err)}.`, { hint: 'No load was sent.' });
  }
}

/** Beside the final file, so that the rename stays on one file system. */
function tempName(abs: string): string {
  return `${dirname(abs)}/.${abs.slice(dirname(abs).length + 1).slice(0, 200)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
}

/** Writes `content` under a temporary name, then renames it into place; on failure nothing is left under either name. */
export function writeFileAtomic(path: string, content: string | Uint8Array, label: string): void {
  const abs = resolve(path);
  const tmp = tempName(abs);
  try {
    ensureFolder(dirname(abs));
    writeFileSync(tmp, typeof content === 'string' ? maskText(content) : content);
    renameSync(tmp, abs);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new McprunError('MCPRUN_OUTPUT', `could not write ${label}: ${pathProblem(err)}`);
  }
}
