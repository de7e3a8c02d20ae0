/**
 * `s.listen(filter)`: the 2026-07-28 `subscriptions/listen` request. It stays open; its stream
 * carries `notifications/subscriptions/acknowledged` (what the server agreed to send) and then
 * the notifications asked for, each stamped with the subscription id (the listen request's id).
 * They are counted in mcp_notifications (stream `subscription`) and given to s.on() listeners
 * like any other. The listen request itself is not a sample: it lasts as long as the scenario
 * wants; `close()` ends it (closing the stream is the cancel on HTTP).
 */
import { safeTimeout } from '../../timers.js';
import { parseDuration } from '../../duration.js';
import { McpError } from './errors.js';
import type { CallOptions, JsonRpcMessage, McpResult, Subscription, SubscriptionFilter } from './types.js';

export interface ListenSite {
  on(method: string, fn: (m: JsonRpcMessage) => void): () => void;
  openRequest(method: string, params: Record<string, unknown>, options: CallOptions | undefined): { id: number; done: Promise<McpResult>; cancel(): void };
}

const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';
const ACK_TIMEOUT_MS = 10_000;

function subscriptionOf(m: JsonRpcMessage): unknown {
  return (m.params?._meta as Record<string, unknown> | undefined)?.[SUBSCRIPTION_ID];
}

export function listen(site: ListenSite, notifications: SubscriptionFilter, options?: CallOptions): Promise<Subscription> {
  const ackMs = options?.timeout === undefined ? ACK_TIMEOUT_MS : parseDuration(options.timeout, 'listen() option timeout', { allowZero: false });
  const req = site.openRequest('subscriptions/listen', { notifications }, options ? { ...options, timeout: undefined } : undefined);
  let received = 0;
  const offAll = site.on('*', (m) => {
    if (subscriptionOf(m) === req.id && m.method !== 'notifications/subscriptions/acknowledged') received++;
  });
  return new Promise<Subscription>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      offAck();
      fn();
    };
    const timer = safeTimeout(() => {
      finish(() => reject(new McpError('timeout', `subscriptions/listen was not acknowledged within ${ackMs} ms`, 'ETIMEDOUT')));
      req.cancel();
      offAll();
    }, ackMs);
    const offAck = site.on('notifications/subscriptions/acknowledged', (m) => {
      if (subscriptionOf(m) !== req.id) return;
      const acknowledged = ((m.params?.notifications as SubscriptionFilter | undefined) ?? {}) as SubscriptionFilter;
      finish(() =>
        resolve({
          id: req.id,
          acknowledged,
          get received() {
            return received;
          },
          ended: req.done.finally(offAll),
          close: () => req.cancel(),
        }),
      );
    });
    void req.done.then((r) => {
      if (r.error) finish(() => reject(r.error));
      else finish(() => reject(new McpError('transport_error', 'subscriptions/listen ended before it was acknowledged', 'EPROTO')));
      offAll();
    });
  });
}
