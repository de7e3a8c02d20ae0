/**
 * `mcprun k8s --apply`: the rendered objects applied with the user's kubectl (server-side: a
 * client-side apply keeps a copy of each object in an annotation of at most 256 KiB, which a
 * scenario bundle exceeds), pod 0's log followed to stdout, its results block (results-block.ts)
 * written into the local report folder, and the run's exit code returned.
 *
 * Ctrl-C: the Job is deleted (its pods get SIGTERM: a graceful stop of the whole run, 105, with
 * the summary), and pod 0's log is followed to its end, so the summary and the reports still come
 * back, as a Ctrl-C'd local run still writes them; a second Ctrl-C stops following at once. With
 * --keep nothing is deleted: Ctrl-C only stops following (the run goes on in the cluster), as
 * Ctrl-C on `kubectl logs -f` would.
 *
 * At the end the ConfigMap, the Service and a Secret mcprun made are deleted (unless --keep): the
 * pods are done with them, and the Job does not own them, so its TTL would leave them behind. The
 * Job stays until its TTL, with every pod's log.
 */
import type { Writable } from 'node:stream';
import { McprunError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { reportError } from '../output/error-report.js';
import { followPodZero, pause, podZero, waitForPodZero, type FollowContext } from './follow.js';
import { kubectlSaid, runKubectl, type Kubectl } from './kubectl.js';
import type { RenderedRun } from './manifests.js';
import { isMcprunExitCode, podZeroSelector } from './pod-state.js';
import type { ResultsBlockReader } from './results-block.js';
import { unpackInto } from './results-files.js';

export interface ApplyOptions {
  readonly kubectl: Kubectl;
  readonly name: string;
  /** Where pod 0's /results goes: `<--report-dir>/<name>`. */
  readonly resultsDir: string;
  readonly keep: boolean;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** The first Ctrl-C. */
  readonly signal: AbortSignal;
  /** The second. */
  readonly hardSignal: AbortSignal;
  readonly pollMs?: number;
  readonly verbose?: boolean;
}

/** Objects that are not the Job: removed after the run, or after a failed apply. */
function runSelector(name: string): string {
  return `app.kubernetes.io/instance=${name},app.kubernetes.io/managed-by=mcprun`;
}

async function applyObjects(rendered: RenderedRun, o: ApplyOptions): Promise<void> {
  const input = rendered.secretYaml ? `${rendered.secretYaml}---\n${rendered.yaml}` : rendered.yaml;
  const r = await runKubectl(o.kubectl, ['apply', '--server-side', '--field-manager=mcprun', '-f', '-'], input);
  if (r.code === 0) return;
  // Some objects may exist by now: an apply that fails part-way must not leave half a run.
  if (!o.keep) await runKubectl(o.kubectl, ['delete', 'job,configmap,service,secret', '-l', runSelector(o.name), '--ignore-not-found', '--wait=false']);
  throw new McprunError('MCPRUN_KUBECTL', `kubectl apply did not take the objects of run ${o.name}: ${kubectlSaid(r)}. No load was sent${o.keep ? '' : ' (what it had created was deleted again)'}.`, {
    hint: 'Check that kubectl reaches the cluster (kubectl get pods) and may create Jobs, Services, ConfigMaps and Secrets in the namespace.',
  });
}

export async function applyRun(rendered: RenderedRun, o: ApplyOptions): Promise<number> {
  if (o.signal.aborted) {
    o.stderr.write('mcprun: stopped before anything was applied.\n');
    return EXIT_CODES.EXTERNAL_ABORT;
  }
  await applyObjects(rendered, o);
  const where = o.kubectl.namespace ? ` in namespace ${o.kubectl.namespace}` : '';
  o.stderr.write(`mcprun: applied ${[rendered.objects.secret && 'Secret', rendered.objects.configMap && 'ConfigMap', 'Service', 'Job'].filter(Boolean).join(', ')} ${o.name}${where}; following pod 0.\n`);
  const detach = new AbortController();
  const onStop = () => void stop(o, detach);
  const onHard = () => detach.abort();
  o.signal.addEventListener('abort', onStop, { once: true });
  o.hardSignal.addEventListener('abort', onHard, { once: true });
  // A Ctrl-C while kubectl applied: the listener above came too late for it.
  if (o.signal.aborted) onStop();
  if (o.hardSignal.aborted) onHard();
  const ctx: FollowContext = { kubectl: o.kubectl, job: o.name, stdout: o.stdout, stderr: o.stderr, detach: detach.signal, pollMs: o.pollMs ?? 1000 };
  try {
    // Pods that cannot start (a bad image) would wait for the Job's deadline: the Job goes too.
    const pod = await waitForPodZero(ctx, () => o.signal.aborted, async () => {
      if (!o.keep) await runKubectl(o.kubectl, ['delete', 'job', o.name, '--wait=false', '--ignore-not-found']);
    });
    if (!pod) return EXIT_CODES.EXTERNAL_ABORT;
    const reader = await followPodZero(ctx, pod);
    if (detach.signal.aborted && !reader.payload) return EXIT_CODES.EXTERNAL_ABORT;
    const code = await exitCodeOf(ctx, reader, pod, o.signal.aborted);
    if (reader.payload) writeResults(reader, o);
    return code;
  } catch (err) {
    return reportError(err, o.stderr, Boolean(o.verbose));
  } finally {
    o.signal.removeEventListener('abort', onStop);
    o.hardSignal.removeEventListener('abort', onHard);
    if (!o.keep) await runKubectl(o.kubectl, ['delete', 'configmap,service,secret', '-l', runSelector(o.name), '--ignore-not-found', '--wait=false']);
  }
}

async function stop(o: ApplyOptions, detach: AbortController): Promise<void> {
  if (o.keep) {
    o.stderr.write(`mcprun: stopped following; the run goes on in the cluster (--keep). Follow it with \`kubectl logs -f -l ${podZeroSelector(o.name)}\`, stop it with \`kubectl delete job ${o.name}\`.\n`);
    detach.abort();
    return;
  }
  o.stderr.write(`mcprun: deleting Job ${o.name}: its pods stop gracefully and pod 0 writes the summary; Ctrl-C again to stop following.\n`);
  const r = await runKubectl(o.kubectl, ['delete', 'job', o.name, '--wait=false', '--ignore-not-found']);
  if (r.code !== 0) o.stderr.write(`mcprun: kubectl could not delete Job ${o.name}: ${kubectlSaid(r)}\n`);
}

/** The results block's code; else the one pod 0's container ended with, once the kubelet reports it. */
async function exitCodeOf(ctx: FollowContext, reader: ResultsBlockReader, pod: string, stopped: boolean): Promise<number> {
  if (reader.problem) ctx.stderr.write(`mcprun: ${reader.problem}; pod 0's reports were not fetched.\n`);
  if (reader.payload) return reader.payload.exitCode;
  for (let i = 0; i < 30 && !ctx.detach.aborted; i++) {
    const st = await podZero(ctx);
    if (st.kind === 'terminated') {
      if (isMcprunExitCode(st.exitCode)) {
        ctx.stderr.write(`mcprun: pod 0 (${pod}) exited ${st.exitCode} without a results block: its reports were not fetched.\n`);
        return st.exitCode;
      }
      throw new McprunError('MCPRUN_WORKER', `pod 0 (${pod}) ended with exit code ${st.exitCode}${st.reason ? ` (${st.reason})` : ''}, which is not one of mcprun's: it was killed (137 is SIGKILL, an OOM kill among them) or evicted, and the run's result is lost.`, {
        hint: `kubectl describe pod ${pod} tells why; an OOM kill needs a larger --memory.`,
      });
    }
    if (st.kind === 'absent') {
      if (stopped) return EXIT_CODES.EXTERNAL_ABORT;
      throw new McprunError('MCPRUN_WORKER', `pod 0 (${pod}) went away before mcprun could read how it ended (deleted, or its node lost).`, { hint: `kubectl get events --field-selector involvedObject.name=${pod} may tell why.` });
    }
    await pause(ctx.pollMs, ctx.detach);
  }
  if (ctx.detach.aborted) return EXIT_CODES.EXTERNAL_ABORT;
  throw new McprunError('MCPRUN_WORKER', `pod 0's log (${pod}) ended without a results block, and the pod has not ended either: its result is unknown.`, { hint: `kubectl logs ${pod} and kubectl describe pod ${pod} tell more.` });
}

function writeResults(reader: ResultsBlockReader, o: ApplyOptions): void {
  const payload = reader.payload!;
  const written = unpackInto(payload, o.resultsDir);
  o.stderr.write(written.length ? `mcprun: pod 0's results: ${written.length} file${written.length === 1 ? '' : 's'} in ${o.resultsDir}\n` : `mcprun: pod 0 wrote no files to /results.\n`);
  for (const s of payload.skipped) o.stderr.write(`mcprun: not fetched: /results/${s.path} (${s.bytes} bytes), over what one log carries; write it elsewhere (an object store, a volume of your own).\n`);
}
