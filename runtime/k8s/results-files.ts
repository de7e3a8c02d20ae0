/**
 * The files of the results block (results-block.ts): read from the coordinator pod's working folder
 * (/results, the emptyDir every relative output path lands in) and written into the local report
 * folder. Reading is bounded: the kubelet rotates a container log at 10 MiB by default
 * (containerLogMaxSize), and a block cut by a rotation cannot be decoded, so files that would take
 * the block past the budget are left out, smallest first in, and named in the block instead.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { McprunError } from '../errors.js';
import { encodeResultsBlock, type ResultsPayload } from './results-block.js';

/** Raw bytes; reports and summaries are text that gzip shrinks 5-10 times, so the log's share stays far below 10 MiB. */
export const RESULTS_BUDGET_BYTES = 8 * 1024 * 1024;

/** Every regular file under `dir` (symbolic links are not followed: they may point anywhere). */
function filesUnder(dir: string, base = dir): Array<{ path: string; full: string; bytes: number }> {
  const out: Array<{ path: string; full: string; bytes: number }> = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const st = lstatSync(full);
    if (st.isDirectory()) out.push(...filesUnder(full, base));
    else if (st.isFile()) out.push({ path: relative(base, full).split(sep).join('/'), full, bytes: st.size });
  }
  return out;
}

export function packFolder(dir: string, exitCode: number, budget = RESULTS_BUDGET_BYTES): ResultsPayload {
  const files: Record<string, string> = {};
  const skipped: ResultsPayload['skipped'] = [];
  let used = 0;
  let all: ReturnType<typeof filesUnder> = [];
  try {
    all = filesUnder(dir);
  } catch {
    // An unreadable folder still lets the exit code through.
  }
  for (const f of [...all].sort((a, b) => a.bytes - b.bytes)) {
    if (used + f.bytes > budget) {
      skipped.push({ path: f.path, bytes: f.bytes });
      continue;
    }
    try {
      files[f.path] = readFileSync(f.full).toString('base64');
      used += f.bytes;
    } catch {
      skipped.push({ path: f.path, bytes: f.bytes });
    }
  }
  return { v: 1, exitCode, files, skipped };
}

/** Writes the block's files under `dir`; a path that would leave it (absolute, `..`) is refused. */
export function unpackInto(payload: ResultsPayload, dir: string): string[] {
  const root = resolve(dir);
  const written: string[] = [];
  for (const [path, content] of Object.entries(payload.files)) {
    const target = resolve(root, path);
    if (isAbsolute(path) || !target.startsWith(root + sep)) {
      throw new McprunError('MCPRUN_OUTPUT', `the results block of pod 0 names the file ${JSON.stringify(path)}, outside the report folder ${root}: not written.`);
    }
    try {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, Buffer.from(content, 'base64'));
    } catch (err) {
      throw new McprunError('MCPRUN_OUTPUT', `cannot write ${target} (from pod 0's /results/${path}): ${(err as Error).message}.`, { hint: 'Give --report-dir a folder you can write to.' });
    }
    written.push(target);
  }
  return written;
}

/** Pod 0's last words: its exit code and working folder, as the block `mcprun k8s --apply` reads. */
export function logResults(stdout: NodeJS.WritableStream, exitCode: number, dir = process.cwd()): void {
  stdout.write(encodeResultsBlock(packFolder(dir, exitCode)));
}
