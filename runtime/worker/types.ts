/** The public shape of a VU as the scenario's functions see it (re-exported by dsl/ as `VU`). */

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
