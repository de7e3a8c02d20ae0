/**
 * What `kubectl get ... -o json` says about the run's Job and its pod 0, read into the few states
 * `mcprun k8s --apply` acts on; and the exit code a terminated pod 0 stands for. Pure.
 */
import { EXIT_CODES } from '../exit-codes.js';

export type PodState =
  | { kind: 'absent' }
  /** Pending, or waiting to start; `fatal` when it will not start without a change by the user. */
  | { kind: 'waiting'; pod: string; reason: string; message?: string; fatal: boolean }
  | { kind: 'running'; pod: string }
  | { kind: 'terminated'; pod: string; exitCode: number; reason?: string };

/** Waiting reasons that do not go away by waiting: a bad image, a missing Secret or ConfigMap. */
const FATAL_WAITING = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError', 'CreateContainerError']);

interface PodJson {
  metadata?: { name?: string; creationTimestamp?: string };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
    containerStatuses?: Array<{ state?: { waiting?: { reason?: string; message?: string }; running?: object; terminated?: { exitCode?: number; reason?: string } } }>;
  };
}

/** The selector of the Job's index-0 pod: labels the Job controller sets (Kubernetes 1.28+). */
export function podZeroSelector(job: string): string {
  return `batch.kubernetes.io/job-name=${job},batch.kubernetes.io/job-completion-index=0`;
}

/** From `kubectl get pods -l <podZeroSelector> -o json`: the oldest match (a pod started again by hand comes later). */
export function podZeroState(listJson: string): PodState {
  const items = ((JSON.parse(listJson) as { items?: PodJson[] }).items ?? []).slice();
  items.sort((a, b) => String(a.metadata?.creationTimestamp ?? '').localeCompare(String(b.metadata?.creationTimestamp ?? '')));
  const pod = items[0];
  if (!pod) return { kind: 'absent' };
  const name = pod.metadata?.name ?? '?';
  const state = pod.status?.containerStatuses?.[0]?.state;
  if (state?.terminated) return { kind: 'terminated', pod: name, exitCode: state.terminated.exitCode ?? -1, ...(state.terminated.reason && { reason: state.terminated.reason }) };
  if (state?.running) return { kind: 'running', pod: name };
  if (state?.waiting) {
    const reason = state.waiting.reason ?? 'ContainerCreating';
    return { kind: 'waiting', pod: name, reason, ...(state.waiting.message && { message: state.waiting.message }), fatal: FATAL_WAITING.has(reason) };
  }
  // Failed without a container state: evicted, or its node lost before it started.
  if (pod.status?.phase === 'Failed') return { kind: 'terminated', pod: name, exitCode: -1, reason: pod.status.reason ?? 'Failed' };
  const unschedulable = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  return { kind: 'waiting', pod: name, reason: unschedulable?.reason ?? pod.status?.phase ?? 'Pending', ...(unschedulable?.message && { message: unschedulable.message }), fatal: false };
}

/** From `kubectl get job <name> -o json`: why the Job failed, if it did (DeadlineExceeded, ...). */
export function jobFailure(jobJson: string): string | undefined {
  const conditions = (JSON.parse(jobJson) as { status?: { conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }> } }).status?.conditions ?? [];
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  return failed ? [failed.reason, failed.message].filter(Boolean).join(': ') || 'Failed' : undefined;
}

const MCPRUN_CODES = new Set<number>(Object.values(EXIT_CODES));

/** Whether a container's exit code is one mcprun gives (else the process was killed: 137 is SIGKILL, an OOM kill among them). */
export function isMcprunExitCode(code: number): boolean {
  return MCPRUN_CODES.has(code);
}
