/**
 * Scenario starts delivered at an agreed moment rather than on arrival, so that every instance's
 * workers start a phase together: the coordinator stamps each start START_LEAD_MS ahead (on its
 * clock), its own workers get it then, and each other instance converts the moment to its own
 * clock (the offset it measured at joining) and delivers it then. Any other message to the same
 * worker first delivers a start still held back, so the order is kept: a stop sent within the
 * lead reaches the worker after the start it follows (the worker then ends that phase at once and
 * says so, as on one instance), never before it.
 */
import type { CoordinatorMessage } from '../../worker-protocol.js';
import { safeTimeout } from '../../timers.js';

export type Deliver = (msg: CoordinatorMessage) => void;

export class DeferredStarts {
  readonly #held: Array<{ msg: CoordinatorMessage; timer: NodeJS.Timeout }> = [];

  constructor(readonly deliver: Deliver) {}

  /** `inMs`: how long from now the message is due; 0 or less: now. */
  send(msg: CoordinatorMessage, inMs = 0): void {
    if (msg.type === 'start-scenario' && inMs > 0) {
      const entry = { msg, timer: safeTimeout(() => this.#release(entry), inMs) };
      this.#held.push(entry);
      return;
    }
    this.flush();
    this.deliver(msg);
  }

  /** Every held start, now, in order. */
  flush(): void {
    while (this.#held.length) {
      const { msg, timer } = this.#held.shift()!;
      clearTimeout(timer);
      this.deliver(msg);
    }
  }

  #release(entry: { msg: CoordinatorMessage; timer: NodeJS.Timeout }): void {
    // Starts are due in the order they were sent: release this one and any before it.
    const at = this.#held.indexOf(entry);
    if (at < 0) return;
    for (const { msg, timer } of this.#held.splice(0, at + 1)) {
      clearTimeout(timer);
      this.deliver(msg);
    }
  }
}
