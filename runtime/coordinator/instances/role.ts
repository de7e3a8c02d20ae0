/**
 * Which part of a many-instance run this process plays, from `--instances N --coordinator
 * HOST:PORT` and `--instance I` or JOB_COMPLETION_INDEX (what a Kubernetes Indexed Job sets).
 * Pure checks with the flag named in each message (exit 104, before anything is compiled).
 */
import { isIP } from 'node:net';
import type { RunOptions } from '../../config/run-options.js';
import { McprunError } from '../../errors.js';

export interface InstanceRole {
  readonly index: number;
  readonly instances: number;
  readonly host: string;
  readonly port: number;
  /** MCPRUN_TOKEN, required when the coordinator listens beyond loopback. */
  readonly token: string | null;
}

const EXAMPLE = 'e.g. --instances 3 --coordinator 127.0.0.1:6565 --instance 0';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** Undefined for a run on one instance (no --instances, or --instances 1 without --coordinator). */
export function instanceRole(opts: Pick<RunOptions, 'instances' | 'coordinator' | 'instance'>, env: NodeJS.ProcessEnv = process.env): InstanceRole | undefined {
  const { instances, coordinator } = opts;
  if (instances === undefined && coordinator === undefined && opts.instance === undefined) return undefined;
  if (instances === undefined) throw new McprunError('MCPRUN_CLI', `--coordinator and --instance need --instances N (how many instances take part), ${EXAMPLE}.`);
  if (coordinator === undefined) throw new McprunError('MCPRUN_CLI', `--instances ${instances} needs --coordinator HOST:PORT (where instance 0 listens and the others connect), ${EXAMPLE}.`);
  const { host, port } = hostPort(coordinator);
  const index = indexOf(opts.instance, env.JOB_COMPLETION_INDEX, instances);
  const token = env.MCPRUN_TOKEN ? env.MCPRUN_TOKEN : null;
  if (index === 0 && !isLoopback(host) && token === null) {
    throw new McprunError('MCPRUN_CLI', `--coordinator ${coordinator} listens beyond loopback, which needs a per-run token: MCPRUN_TOKEN is not set.`, {
      hint: 'Set MCPRUN_TOKEN to the same random value on every instance (`mcprun k8s` puts one in a Secret), or listen on 127.0.0.1.',
    });
  }
  return { index, instances, host, port, token };
}

function hostPort(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) {
    throw new McprunError('MCPRUN_CLI', `invalid --coordinator ${JSON.stringify(text)}: expected HOST:PORT with a port from 1 to 65535, e.g. --coordinator 127.0.0.1:6565 or --coordinator mcprun-0.mcprun:6565.`);
  }
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

function indexOf(flag: string | undefined, fromJob: string | undefined, instances: number): number {
  const [given, where] = flag !== undefined ? [flag, '--instance'] : fromJob !== undefined ? [fromJob, 'JOB_COMPLETION_INDEX'] : [undefined, ''];
  if (given === undefined) {
    throw new McprunError('MCPRUN_CLI', `--instances ${instances} needs this instance's index: give --instance I (0 to ${instances - 1}; 0 is the coordinator) or set JOB_COMPLETION_INDEX.`);
  }
  if (!/^\d+$/.test(given.trim()) || Number(given) >= instances) {
    throw new McprunError('MCPRUN_CLI', `invalid ${where} ${JSON.stringify(given)}: expected a whole number from 0 to ${instances - 1} (--instances ${instances}).`);
  }
  return Number(given);
}
