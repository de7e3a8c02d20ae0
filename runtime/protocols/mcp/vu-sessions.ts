/**
 * The sessions of each VU, from the moment connect() starts until close():
 *  - when the VU is stopped (its AbortSignal fires), every in-flight call of its sessions ends now
 *    and records nothing: one listener per VU, not per session, so a VU may hold thousands;
 *  - when the VU retires, the sessions still open are closed (DELETE sent): mcprun never leaks
 *    server sessions. One cleanup per VU, so a VU that opens and closes 10^5 sessions holds
 *    nothing for the closed ones.
 */
import type { VuContext } from '../../worker/vu-context.js';

export interface VuSession {
  close(): Promise<void>;
  /** End every in-flight call now, recording nothing. */
  interrupt(): void;
}

class VuSessions {
  readonly sessions = new Set<VuSession>();
  signal: AbortSignal | null = null;
  readonly onAbort = () => {
    for (const s of [...this.sessions]) s.interrupt();
  };
}

const byVu = new WeakMap<VuContext, VuSessions>();

function stateOf(ctx: VuContext): VuSessions {
  let st = byVu.get(ctx);
  if (!st) {
    st = new VuSessions();
    byVu.set(ctx, st);
    ctx.cleanups.push(() => closeAll(ctx));
  }
  return st;
}

export function trackSession(ctx: VuContext, s: VuSession): void {
  stateOf(ctx).sessions.add(s);
  watchVu(ctx);
}

export function untrackSession(ctx: VuContext, s: VuSession): void {
  byVu.get(ctx)?.sessions.delete(s);
}

/** (Re)subscribes to the VU's stop signal; a revived VU has a new one. */
export function watchVu(ctx: VuContext): void {
  const st = stateOf(ctx);
  if (st.signal === ctx.signal) return;
  st.signal?.removeEventListener('abort', st.onAbort);
  st.signal = ctx.signal;
  ctx.signal.addEventListener('abort', st.onAbort, { once: true });
}

async function closeAll(ctx: VuContext): Promise<void> {
  const st = byVu.get(ctx);
  byVu.delete(ctx);
  if (!st) return;
  st.signal?.removeEventListener('abort', st.onAbort);
  if (!st.sessions.size) return;
  await Promise.all([...st.sessions].map((s) => s.close().catch(() => {})));
}
