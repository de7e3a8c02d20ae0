/**
 * `target(name)`: the base URL (no trailing slash) VUs use for a target of options.targets. With
 * a fault proxy it is the proxy's address on 127.0.0.1 in this worker (each worker and process
 * has its own proxies, so the proxy never caps the load); without one, the upstream as written.
 * Like http.get, it is called inside the default function (or an exec function, setup, teardown):
 * the proxies exist in the workers only.
 */
import { usageError } from '../runtime/errors.js';
import { currentVu } from '../runtime/worker/vu-context.js';

export function target(name: string): string {
  const ctx = currentVu('target()');
  if (typeof name !== 'string') throw usageError(`target(${String(name)}): expected the name of a target in options.targets, e.g. target('api')`);
  return ctx.services.targets.urlOf(name);
}
