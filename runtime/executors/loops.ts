/** The closed-model VU loop shared by the VU-based executors. */
import type { ExecutorRunContext, ExecutorVu } from './types.js';

/**
 * Iterate on `vu` until the scenario ends, `deadline` (scenario ms) passes, or `more()` says no.
 * A VU starts no iteration after the deadline; the one in flight then gets the graceful stop.
 * While the run is paused it starts none (the one in flight finishes).
 */
export async function vuLoop(ctx: ExecutorRunContext, vu: ExecutorVu, deadline: number, more: () => boolean = always): Promise<void> {
  vu.looping = true;
  try {
    while (!ctx.ending && !vu.stopped && ctx.now() < deadline) {
      if (ctx.paused) {
        // Held, not looping: the `vus` gauge shows the pause. more() is asked only once the VU
        // will iterate (shared-iterations counts its takes).
        vu.looping = false;
        await ctx.resumed();
        vu.looping = true;
        continue;
      }
      if (!more()) break;
      await vu.iterate();
    }
  } finally {
    vu.looping = false;
  }
}

function always(): boolean {
  return true;
}

/** Global VU indices (0-based) this worker owns out of `n`: i % W === w. */
export function ownedIndices(n: number, w: number, W: number): number[] {
  const out: number[] = [];
  for (let i = w; i < n; i += W) out.push(i);
  return out;
}
