/**
 * Sessions a VU has open, so the ones still open when it retires are closed (DELETE sent):
 * mcprun never leaks server sessions. One cleanup per VU (not per session), so a VU that opens
 * and closes 10^5 sessions holds nothing for the closed ones.
 */
import type { VuContext } from '../../worker/vu-context.js';

interface Closable {
  close(): Promise<void>;
}

const open = new WeakMap<VuContext, Set<Closable>>();

export function trackSession(ctx: VuContext, s: Closable): void {
  let set = open.get(ctx);
  if (!set) {
    set = new Set();
    open.set(ctx, set);
    ctx.cleanups.push(() => closeAll(ctx));
  }
  set.add(s);
}

export function untrackSession(ctx: VuContext, s: Closable): void {
  open.get(ctx)?.delete(s);
}

async function closeAll(ctx: VuContext): Promise<void> {
  const set = open.get(ctx);
  open.delete(ctx);
  if (!set?.size) return;
  await Promise.all([...set].map((s) => s.close().catch(() => {})));
}
