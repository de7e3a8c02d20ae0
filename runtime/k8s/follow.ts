/**
 * Pod 0 of an applied run, from the outside: wait until it has started (or will not: a bad image,
 * a missing Secret, the Job failed), then follow its log to mcprun's stdout, the results block
 * taken out (results-block.ts). `kubectl logs -f` can end before the container does (the API
 * server's or a proxy's timeout, a dropped connection): the log is then followed again from its
 * start, the lines already shown skipped.
 */
import type { Writable } from 'node:stream';
import { McprunError } from '../errors.js';
import { safeTimeout } from '../timers.js';
import { runKubectl, streamKubectl, kubectlSaid, type Kubectl, type KubectlStream } from './kubectl.js';
import { jobFailure, podZeroSelector, podZeroState, type PodState } from './pod-state.js';
import { ResultsBlockReader } from './results-block.js';

export interface FollowContext {
  readonly kubectl: Kubectl;
  readonly job: string;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Stop waiting and following at once (a second Ctrl-C, or Ctrl-C with --keep). */
  readonly detach: AbortSignal;
  readonly pollMs: number;
}

const REFOLLOWS = 5;
const GET_ATTEMPTS = 5;

export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolveWait) => {
    if (signal.aborted) return resolveWait();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolveWait();
    };
    const t = safeTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** Pod 0's state; a failed call is tried again a few times (an API server restarting, a proxy's hiccup) before it ends the wait. */
export async function podZero(ctx: FollowContext): Promise<PodState> {
  for (let attempt = 1; ; attempt++) {
    const r = await runKubectl(ctx.kubectl, ['get', 'pods', '-l', podZeroSelector(ctx.job), '-o', 'json']);
    if (r.code === 0) return podZeroState(r.stdout);
    if (attempt >= GET_ATTEMPTS || ctx.detach.aborted) throw new McprunError('MCPRUN_KUBECTL', `kubectl could not read pod 0 of Job ${ctx.job} (${GET_ATTEMPTS} tries): ${kubectlSaid(r)}`, { hint: `The run may go on in the cluster: kubectl get pods -l ${podZeroSelector(ctx.job)}.` });
    await pause(ctx.pollMs, ctx.detach);
  }
}

async function jobFailed(ctx: FollowContext): Promise<string | undefined> {
  const r = await runKubectl(ctx.kubectl, ['get', 'job', ctx.job, '-o', 'json']);
  if (r.code !== 0) return /NotFound|not found/.test(r.stderr) ? 'the Job is gone (deleted)' : undefined;
  return jobFailure(r.stdout);
}

/**
 * Pod 0 once its log can be read; undefined when detached, or when the Job went away after a stop.
 * `cannotStart` runs before the error for a pod that will not start (the caller deletes the Job).
 */
export async function waitForPodZero(ctx: FollowContext, stopping: () => boolean, cannotStart: () => Promise<void>): Promise<string | undefined> {
  let said = '';
  while (!ctx.detach.aborted) {
    const st = await podZero(ctx);
    if (st.kind === 'running' || st.kind === 'terminated') return st.pod;
    if (st.kind === 'waiting' && st.fatal) {
      await cannotStart();
      throw new McprunError('MCPRUN_KUBECTL', `pod 0 of Job ${ctx.job} (${st.pod}) cannot start: ${st.reason}${st.message ? ` (${st.message})` : ''}; no load was sent.`, {
        hint: 'Check --image (the cluster must be able to pull it) and the token Secret, then run again; the Job is deleted unless --keep (then kubectl describe pod tells more).',
      });
    }
    const now = st.kind === 'waiting' ? `${st.pod} is ${st.reason}${st.message ? `: ${st.message}` : ''}` : 'not created yet';
    if (now !== said) ctx.stderr.write(`mcprun: waiting for pod 0: ${(said = now)}\n`);
    const failed = st.kind === 'absent' || stopping() ? await jobFailed(ctx) : undefined;
    if (failed && stopping()) return undefined;
    if (failed) throw new McprunError('MCPRUN_KUBECTL', `Job ${ctx.job} failed before its pod 0 ran: ${failed}; no load was sent.`, { hint: `kubectl describe job ${ctx.job} tells more (a pod the cluster cannot place: lower --cpu or --memory).` });
    await pause(ctx.pollMs, ctx.detach);
  }
  return undefined;
}

/** Drops the first `n` lines of a stream that starts the log again from its beginning. */
function skipping(n: number): (text: string) => string {
  let left = n;
  return (text) => {
    let at = 0;
    while (left > 0 && at < text.length) {
      const nl = text.indexOf('\n', at);
      if (nl < 0) return '';
      at = nl + 1;
      left--;
    }
    return text.slice(at);
  };
}

/** Follows the log to its end; the reader holds the results block, if pod 0 wrote one. */
export async function followPodZero(ctx: FollowContext, pod: string): Promise<ResultsBlockReader> {
  const reader = new ResultsBlockReader();
  for (let attempt = 0; ; attempt++) {
    reader.restart();
    const skip = skipping(reader.lines);
    let stream: KubectlStream | undefined;
    const onDetach = () => stream?.stop();
    ctx.detach.addEventListener('abort', onDetach);
    stream = streamKubectl(ctx.kubectl, ['logs', '-f', pod], (t) => ctx.stdout.write(reader.feed(skip(t))), (t) => ctx.stderr.write(t));
    const code = await stream.done;
    ctx.detach.removeEventListener('abort', onDetach);
    if (reader.payload || ctx.detach.aborted || attempt >= REFOLLOWS) break;
    const st = await podZero(ctx);
    // An ended container's log is all there after a clean end of `logs -f`; else read it once more.
    if (st.kind === 'absent' || (st.kind === 'terminated' && code === 0)) break;
    if (code !== 0) ctx.stderr.write(`mcprun: following pod 0's log stopped (kubectl exited ${code}); following it again.\n`);
    await pause(ctx.pollMs, ctx.detach);
  }
  ctx.stdout.write(reader.end());
  return reader;
}
