/**
 * The messages between the coordinator (instance 0) and the other instances of one run, in the
 * style of worker-protocol.ts, whose messages they carry: an instance relays the coordinator's
 * CoordinatorMessages to its own workers and their WorkerMessages back, so the coordinator drives
 * every worker of the run, local or not, the same way. Shapes only.
 */
import type { SerializedError } from '../../errors.js';
import type { CoordinatorMessage, WorkerMessage } from '../../worker-protocol.js';

/** What must be equal on every instance for the run to start (else 104 on all, before load). */
export interface Fingerprint {
  version: string;
  /** sha256 of the scenario bundle and of the resolved scenarios and thresholds (the -e values included). */
  scenario: string;
}

/** Instance -> coordinator. The first one is `hello`, as JSON; the rest are structured clones. */
export type InstanceMessage =
  | { type: 'hello'; index: number; instances: number; fingerprint: Fingerprint; token: string | null }
  /** The answer to a clock probe: `at` on this instance's clock (epoch ms). */
  | { type: 'pong'; sent: number; at: number }
  | { type: 'from-worker'; msg: WorkerMessage }
  | { type: 'worker-exit'; index: number; code: number; error: SerializedError | null }
  /** A stop from outside on this instance (SIGTERM on its pod, Ctrl-C): the whole run stops. */
  | { type: 'stop-request'; hard: boolean }
  | { type: 'heartbeat' };

/** Coordinator -> instance. The first one is `welcome` or `refused`, as JSON. */
export type HubMessage =
  | { type: 'welcome' }
  /** Not admitted, or the run was refused for another instance's reason: exit 104, nothing sent. */
  | { type: 'refused'; message: string }
  /** A clock probe: `sent` on the coordinator's clock (epoch ms). */
  | { type: 'ping'; sent: number }
  /** Run these global worker indexes of `workerCount`; `offsetMs`: the coordinator's clock minus the instance's, as probed. */
  | { type: 'assign'; first: number; count: number; workerCount: number; offsetMs: number }
  /** `at`: when to deliver it (a scenario start), on the coordinator's clock; absent: at once. */
  | { type: 'to-worker'; index: number; msg: CoordinatorMessage; at?: number }
  | { type: 'terminate'; index: number }
  /** The run is over: exit with its code. */
  | { type: 'end'; exitCode: number; reason: string | null }
  | { type: 'heartbeat' };

/** Both sides send one every second; this long without any frame and the other side counts as lost. */
export const HEARTBEAT_MS = 1000;
export const SILENCE_LIMIT_MS = 5000;
/** How long the coordinator waits for every instance, and an instance for the coordinator: pods start in any order. */
export const GATHER_TIMEOUT_MS = 300_000;
/** Phase starts are sent this far ahead, so every instance starts them together. */
export const START_LEAD_MS = 100;
