/**
 * The context of the code that is running right now: which VU, which scenario, which group, and
 * where its samples go. VUs of one worker are async loops in one realm, so the DSL functions
 * (`http.get`, `check`, `group`) find their VU through AsyncLocalStorage rather than globals.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { McprunError } from '../errors.js';
import type { Tags } from '../metrics/types.js';
import type { VuHttp } from '../protocols/http/vu-http.js';
import type { VuScope } from '../protocols/vu-contract.js';
import type { PendingCall } from './floating-calls.js';
import type { VuInfo } from './types.js';

/** What the DSL sees of its VU: the protocols' contract (tags, store, stop, ownership, services) and more. */
export interface VuContext extends VuScope {
  readonly vu: VuInfo;
  /** Tags every sample of this VU carries (scenario, the scenario's `tags`); group is added on top. */
  readonly baseTags: Tags;
  /** The group path of the code running now ('' at the root, '::login::submit' nested, as in k6). */
  readonly group: string;
  /** This VU's HTTP client, created on first use (and owned by the VU). */
  readonly http: VuHttp;
  /** The frame group() runs its callback in: `tags` and `group` read it while that code runs. */
  inGroup(path: string): VuFrame;
  /** A DSL promise starts (sleep, group, http.*, ws/mcp.connect): pass what this returns to callSettled() when it settles (floating-calls.ts). */
  callStarted(what: string): PendingCall;
  callSettled(call: PendingCall): void;
}

/** `p`, counted as one of the VU's pending calls until it settles (an un-awaited one is reported: floating-calls.ts). */
export function tracked<T>(ctx: VuContext, what: string, p: Promise<T>, call: PendingCall = ctx.callStarted(what)): Promise<T> {
  const settle = () => ctx.callSettled(call);
  p.then(settle, settle);
  return p;
}

/**
 * What vuStorage holds while a VU's code runs: the VU, and the group that code is in. A VU's own
 * context is its root frame; group() runs its callback in a frame of its own, so the group scopes
 * exactly the code of its callback (awaited or not, sync or async, nested) and nothing the caller
 * does meanwhile. `tags` and `group` of a VU read the frame of the code running now, so a session
 * opened inside a group and used outside it tags each sample with where it was recorded.
 */
export interface VuFrame {
  readonly context: VuContext;
  readonly groupPath: string;
  /** The scenario's one tag object for this group path (the store caches series on it). */
  readonly groupTags: Tags;
}

/** One per realm, shared by every copy of this module (global symbol). */
export const vuStorage: AsyncLocalStorage<VuFrame> = ((globalThis as Record<symbol, unknown>)[Symbol.for('mcprun.vuStorage')] ??=
  new AsyncLocalStorage<VuFrame>()) as AsyncLocalStorage<VuFrame>;

export function currentVu(what: string): VuContext {
  const ctx = vuStorage.getStore()?.context;
  if (!ctx) {
    throw new McprunError(
      'MCPRUN_CONTEXT',
      `${what} was called outside a VU: it can only be used inside the default function (or an \`exec\` function), setup() or teardown(), not at the top level of the scenario file.`,
      { hint: 'Move the call into the function body.' },
    );
  }
  return ctx;
}
