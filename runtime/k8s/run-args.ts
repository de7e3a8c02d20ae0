/**
 * The user's extra `mcprun run` arguments, as the pod will see them: the Job sets `--instances` and
 * `--coordinator` itself (the index comes from JOB_COMPLETION_INDEX), and the container's root
 * filesystem is read-only, so a file written outside /results or /tmp would fail in every pod
 * after the load started. Both are refused here, before anything reaches the cluster.
 */
import { posix } from 'node:path';
import { McprunError } from '../errors.js';
import { RESULTS_DIR, TMP_DIR } from './run-input.js';

const SET_BY_JOB = new Set(['--instances', '--instance', '--coordinator']);
const PATH_FLAGS = new Set(['--summary-export', '--report-dir', '--junit', '--out', '-o']);
const WORKER_FLAGS = new Set(['--workers', '-w']);

/** Each flag with its value, whether written `--flag value` or `--flag=value`. */
function* flagValues(args: readonly string[]): Generator<{ flag: string; value: string | undefined; text: string }> {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) yield { flag: a.slice(0, eq), value: a.slice(eq + 1), text: a };
    else yield { flag: a, value: args[i + 1], text: `${a} ${args[i + 1] ?? ''}`.trim() };
  }
}

function writablePath(path: string): boolean {
  if (!posix.isAbsolute(path)) return true;
  const p = posix.normalize(path);
  return [RESULTS_DIR, TMP_DIR].some((dir) => p === dir || p.startsWith(`${dir}/`));
}

export function checkRunArgs(args: readonly string[]): void {
  for (const { flag, value, text } of flagValues(args)) {
    if (SET_BY_JOB.has(flag)) {
      throw new McprunError('MCPRUN_CLI', `${flag} cannot be passed to the pods: the Job sets --instances and --coordinator itself, and each pod takes its index from JOB_COMPLETION_INDEX.`, {
        hint: 'Use --instances N of `mcprun k8s` and drop it from the run arguments.',
      });
    }
    if (!PATH_FLAGS.has(flag) || value === undefined) continue;
    // --out takes json=FILE[,raw] or csv=FILE.
    const path = flag === '--out' || flag === '-o' ? value.replace(/^[a-z]+=/, '').replace(/,raw$/, '') : value;
    if (!writablePath(path)) {
      throw new McprunError('MCPRUN_CLI', `${text} writes to ${path}, which a pod cannot write: its root filesystem is read-only.`, {
        hint: `Give a relative path (it lands in ${RESULTS_DIR}, the container's working folder) or one under ${RESULTS_DIR} or ${TMP_DIR}.`,
      });
    }
  }
}

/** Whether the user chose the worker count (else the Job derives it from --cpu). */
export function setsWorkers(args: readonly string[]): boolean {
  for (const { flag } of flagValues(args)) if (WORKER_FLAGS.has(flag)) return true;
  return false;
}
