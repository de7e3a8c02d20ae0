/**
 * `options.targets` and `options.faults` once resolved: every default applied, times in ms, sizes
 * in bytes, structured-clone safe (the coordinator hands the proxy faults to workers as they are).
 */
import type { FaultDirection, ProxyFault, ProxyFaultKind } from '../protocols/fault-proxy/types.js';

export type ProcessFaultKind = 'kill' | 'pause' | 'restart';
export type FaultKind = ProxyFaultKind | ProcessFaultKind;

export const PROCESS_FAULT_KINDS: readonly ProcessFaultKind[] = ['kill', 'pause', 'restart'];

/** Where a fault sits in the run: from the start of the load, after a scenario ended, or inside one. */
export type FaultPlacement =
  | { type: 'start'; offsetMs: number }
  | { type: 'after'; scenario: string; offsetMs: number }
  | { type: 'during'; scenario: string; offsetMs: number };

/** `recovered: { failed, latency, for }`: threshold expressions on each 1 s window after the fault. */
export interface RecoveryCriteria {
  failed?: string;
  latency?: string;
  forMs?: number;
}

export interface ResolvedUpstream {
  /** As written, e.g. "http://127.0.0.1:8080". */
  url: string;
  scheme: 'http' | 'https' | 'ws' | 'wss' | 'tcp';
  host: string;
  port: number;
}

export interface ResolvedManaged {
  command: string[];
  /** command[0] as found on PATH (or made absolute from cwd): checked before any load. */
  executable: string;
  env: Record<string, string>;
  /** Absolute. */
  cwd: string;
  readyTimeoutMs: number;
  /** An absolute URL to GET until it answers below 500; undefined: a TCP connect to the upstream's port. */
  readyUrl: string | undefined;
}

export interface ResolvedTarget {
  name: string;
  upstream: ResolvedUpstream;
  /** A fault proxy runs in front of the upstream in each worker ('http' when an HTTP fault needs framing). */
  proxy: { protocol: 'tcp' | 'http' } | undefined;
  /** The process mcprun starts and stops (`command`). */
  managed: ResolvedManaged | undefined;
}

export interface ResolvedFault {
  name: string;
  target: string;
  kind: FaultKind;
  /** What the workers' proxies apply (network and HTTP kinds). */
  proxy: ProxyFault | undefined;
  placement: FaultPlacement;
  /** undefined: until the end of the run (or of the scenario, for `during`); 0 for restart (an instant). */
  durationMs: number | undefined;
  recovered: RecoveryCriteria;
}

export interface ResolvedFaultPlan {
  targets: ResolvedTarget[];
  faults: ResolvedFault[];
}

export type { FaultDirection };
