/**
 * Typed lifecycle functions without annotations: `export default defineDefault<typeof setup>(async (vu, data) => ...)`
 * gives `vu` its VU type and `data` what setup() resolves to. Each is the identity: a plain
 * `export default async function (vu: VU, data: SetupData<typeof setup>)` is the same thing.
 */
import type { VuInfo } from '../runtime/worker/types.js';

type AnySetup = (...args: never[]) => unknown;

/** What `setup` (a function's type, `typeof setup`) resolves to: the `data` of the VU functions and teardown(). */
export type SetupData<S extends AnySetup> = Awaited<ReturnType<S>>;

/** The default export, or a function named by a scenario's `exec`. */
export type IterationFunction<Data = undefined> = (vu: VuInfo, data: Data) => unknown;

/**
 * The default function (or an `exec` one), typed: `vu` is the VU, `data` setup()'s result.
 * The type argument is setup's type (`typeof setup`); without one, `data` is `undefined`.
 */
export function defineDefault<S extends AnySetup = () => undefined>(fn: IterationFunction<SetupData<S>>): IterationFunction<SetupData<S>> {
  return fn;
}

/** teardown(data), typed as defineDefault: `export const teardown = defineTeardown<typeof setup>((data) => ...)`. */
export function defineTeardown<S extends AnySetup = () => undefined>(fn: (data: SetupData<S>) => unknown): (data: SetupData<S>) => unknown {
  return fn;
}
