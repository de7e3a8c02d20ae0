/**
 * The context of the code that is running right now: which VU, which scenario, which group, and
 * where its samples go. VUs of one worker are async loops in one realm, so the DSL functions
 * (`http.get`, `check`, `group`) find their VU through AsyncLocalStorage rather than globals.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { McprunError } from '../errors.js';
import type { Tags } from '../metrics/types.js';
import type { WorkerMetricStore } from '../metrics/worker-store.js';
import type { VuHttp } from '../protocols/http/vu-http.js';

/** What the default function receives as its first argument. */
export interface VuInfo {
  /** Unique across the whole test (all scenarios, all workers), starting at 1. */
  readonly id: number;
  /** Iterations this VU has started in its current scenario, starting at 0. */
  iteration: number;
  /** The scenario this VU runs. */
  readonly scenario: string;
  /** Per-VU state that lives across iterations (connections, sessions, tokens). */
  state: Record<string, any>;
  /** The environment: `-e KEY=VALUE` values over the scenario's `env` over the process environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface VuContext {
  readonly vu: VuInfo;
  /** Tags every sample of this VU carries (scenario, the scenario's `tags`); group is added on top. */
  readonly baseTags: Tags;
  /** The current group path ('' at the root, '::login::submit' nested, as in k6). */
  group: string;
  /** baseTags plus `group` when inside a group; rebuilt when the group changes. */
  tags: Tags;
  readonly store: WorkerMetricStore;
  readonly http: VuHttp;
  /** Aborted when the VU must stop now (graceful stop over, ramp-down deadline, second Ctrl-C). */
  signal: AbortSignal;
  /**
   * Functions that close what the VU opened (sessions, sockets), run in order when it retires,
   * each called with this context as `this`: a protocol can register one shared function instead
   * of a closure per VU (created on first use).
   */
  readonly cleanups: Array<(this: VuContext) => unknown>;
}

/** One per realm, shared by every copy of this module (global symbol). */
export const vuStorage: AsyncLocalStorage<VuContext> = ((globalThis as Record<symbol, unknown>)[Symbol.for('mcprun.vuStorage')] ??=
  new AsyncLocalStorage<VuContext>()) as AsyncLocalStorage<VuContext>;

export function currentVu(what: string): VuContext {
  const ctx = vuStorage.getStore();
  if (!ctx) {
    throw new McprunError(
      'MCPRUN_CONTEXT',
      `${what} was called outside a VU: it can only be used inside the default function (or an \`exec\` function), setup() or teardown(), not at the top level of the scenario file.`,
      { hint: 'Move the call into the function body.' },
    );
  }
  return ctx;
}

export function withGroup(ctx: VuContext, group: string): void {
  ctx.group = group;
  ctx.tags = group ? { ...ctx.baseTags, group } : ctx.baseTags;
}
