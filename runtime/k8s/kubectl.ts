/**
 * The user's kubectl, run as a child process: `mcprun k8s --apply` talks to the cluster only
 * through it, so whatever kubectl is set up for (its context, credentials, proxies, plugins) is
 * what the run uses, and mcprun needs no Kubernetes client of its own. Which kubectl: `--kubectl
 * PATH`, else MCPRUN_KUBECTL, else `kubectl` on the PATH; found before anything is read or applied.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { McprunError } from '../errors.js';

export interface Kubectl {
  readonly bin: string;
  /** `--namespace`: given to every call; absent, kubectl's context decides. */
  readonly namespace?: string;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The kubectl to run, or a config error (104) naming where mcprun looked. */
export function findKubectl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const given = flag ?? (env.MCPRUN_KUBECTL || undefined);
  const where = flag !== undefined ? '--kubectl' : 'MCPRUN_KUBECTL';
  if (given !== undefined && /[\\/]/.test(given)) {
    if (executable(given)) return given;
    throw new McprunError('MCPRUN_KUBECTL', `mcprun k8s --apply runs kubectl, but ${where} ${given} is not an executable file; nothing was applied.`, {
      hint: 'Give the path of kubectl (--kubectl /usr/local/bin/kubectl or MCPRUN_KUBECTL), or leave both out to use the kubectl on your PATH.',
    });
  }
  const name = given ?? 'kubectl';
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  throw new McprunError('MCPRUN_KUBECTL', `mcprun k8s --apply runs kubectl, but there is no ${name} on the PATH; nothing was applied.`, {
    hint: 'Install kubectl (https://kubernetes.io/docs/tasks/tools/) or give its path with --kubectl PATH or MCPRUN_KUBECTL; or leave out --apply and apply the printed objects yourself.',
  });
}

function withNamespace(k: Kubectl, args: readonly string[]): string[] {
  return k.namespace === undefined ? [...args] : ['--namespace', k.namespace, ...args];
}

/** One kubectl call to its end; `input` goes to its standard input. */
export function runKubectl(k: Kubectl, args: readonly string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolveRun) => {
    const child = spawn(k.bin, withNamespace(k, args), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => resolveRun({ code: -1, stdout, stderr: stderr + err.message }));
    child.on('close', (code, signal) => resolveRun({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

export interface KubectlStream {
  readonly done: Promise<number>;
  stop(): void;
}

/** A long kubectl call (`logs -f`) whose output is handed on as it comes. */
export function streamKubectl(k: Kubectl, args: readonly string[], onStdout: (text: string) => void, onStderr: (text: string) => void): KubectlStream {
  const child = spawn(k.bin, withNamespace(k, args), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.setEncoding('utf8').on('data', onStdout);
  child.stderr.setEncoding('utf8').on('data', onStderr);
  const done = new Promise<number>((resolveRun) => {
    child.on('error', (err) => {
      onStderr(`${err.message}\n`);
      resolveRun(-1);
    });
    child.on('close', (code) => resolveRun(code ?? -1));
  });
  return { done, stop: () => void child.kill('SIGTERM') };
}

/** kubectl's own message, in one paragraph, for ours. */
export function kubectlSaid(r: KubectlResult): string {
  const text = (r.stderr.trim() || r.stdout.trim()).split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 6).join(' ');
  return text || `it exited with code ${r.code} and no message`;
}
