/**
 * The contract between a VU and the protocol clients (HTTP, WebSocket, MCP): all a client may ask
 * of the VU it runs in. worker/vu.ts implements it; protocols reach the VU only through this file,
 * never worker/ or config/.
 *
 *  - `tags` and `store`: where samples go and with which tags. `tags` is one object per scenario
 *    and group, shared by their VUs, so hot paths cache series on its identity
 *    (WorkerMetricStore.cached).
 *  - `stopped` and `signal`: the VU must stop now (graceful stop over, ramp-down deadline, second
 *    Ctrl-C). `signal` is for waits that take one (sleep); a client checks `stopped`.
 *  - `own(resource)`: the VU interrupts what it owns when it is stopped, resumes it when it comes
 *    back, and releases it when it retires; `disown` once the resource closed by itself. The one
 *    way sockets, sessions and connection pools are tied to a VU, so a VU that holds nothing
 *    retires for free.
 *  - `services`: what every VU of the worker shares (services.ts). Protocols keep no module state
 *    that depends on the run.
 *
 * Additions are new members here (a cookie jar, a VU-scoped handler table), not a new way to
 * reach the VU.
 */
import type { Tags } from '../metrics/types.js';
import type { WorkerMetricStore } from '../metrics/worker-store.js';
import type { ProtocolServices } from './services.js';

/** Something a VU owns from open to close: a WebSocket, an MCP session, the VU's HTTP connections. */
export interface VuResource {
  /** The VU was stopped: end in-flight work now and record nothing for it. */
  interrupt?(): void;
  /** The VU runs again after a ramp-down stopped it. */
  resume?(): void;
  /** The VU retires: close what is still open ("going away"). A failure here is not the script's: it is ignored. */
  release(): unknown;
}

export interface VuScope {
  /** Tags of every sample recorded now: the scenario's tags, `scenario`, and `group` inside a group. */
  readonly tags: Tags;
  readonly store: WorkerMetricStore;
  /** True once the VU must stop: new work is refused at once. */
  readonly stopped: boolean;
  /** Aborted when the VU is stopped (created on first read). */
  readonly signal: AbortSignal;
  readonly services: ProtocolServices;
  own(resource: VuResource): void;
  disown(resource: VuResource): void;
}
