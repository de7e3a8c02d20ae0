/**
 * k6's per-VU globals in one realm: `__ENV`, `__VU`, `__ITER`, `open`, and `process.env` as the VU running
 * now sees them. The VUs of a worker share one JavaScript realm, so these are getters that read the
 * VU of the code running now (vuStorage): a scenario's `env` reaches its own VUs and no others.
 * Outside a VU (the scenario's init code, setup/teardown) they read the worker's environment
 * (-e values over the process environment), `__VU` is 0 and `__ITER` is 0, as in k6's init context.
 */
import { open } from './data-files.js';
import { vuStorage } from './vu-context.js';

type Env = Record<string, string | undefined>;

/** The environment of the code running now: its VU's (with the scenario's `env`), else the worker's. */
function envNow(base: Env): Env {
  return (vuStorage.getStore()?.context.vu.env as Env | undefined) ?? base;
}

/**
 * `process.env` whose reads see the running VU's scenario `env` first, then the real environment;
 * writes go to the real environment (child processes a scenario starts inherit them).
 */
function scopedProcessEnv(real: NodeJS.ProcessEnv, base: Env): NodeJS.ProcessEnv {
  const own = (k: string | symbol): Env | undefined => {
    if (typeof k !== 'string') return undefined;
    const e = envNow(base);
    return e !== base && Object.hasOwn(e, k) ? e : undefined;
  };
  return new Proxy(real, {
    get: (t, k) => (own(k)?.[k as string] ?? Reflect.get(t, k)),
    has: (t, k) => own(k) !== undefined || Reflect.has(t, k),
    ownKeys: (t) => {
      const e = envNow(base);
      return e === base ? Reflect.ownKeys(t) : [...new Set([...Reflect.ownKeys(t), ...Object.keys(e)])];
    },
    getOwnPropertyDescriptor: (t, k) => {
      const e = own(k);
      return e ? { value: e[k as string], writable: true, enumerable: true, configurable: true } : Reflect.getOwnPropertyDescriptor(t, k);
    },
  });
}

let installed = false;

/** Once per worker, before the bundle is imported: `env` is the worker's environment (-e over the process's). */
export function installVuGlobals(env: Record<string, string>): void {
  for (const [k, v] of Object.entries(env)) process.env[k] = v;
  if (installed) return;
  installed = true;
  const base = env as Env;
  const g = globalThis as Record<string, unknown>;
  Object.defineProperty(g, '__ENV', { configurable: true, get: () => envNow(base) });
  // k6: __VU is 1-based and 0 in the init context; __ITER counts this VU's iterations from 0.
  Object.defineProperty(g, '__VU', { configurable: true, get: () => vuStorage.getStore()?.context.vu.id ?? 0 });
  Object.defineProperty(g, '__ITER', { configurable: true, get: () => vuStorage.getStore()?.context.vu.iteration ?? 0 });
  process.env = scopedProcessEnv(process.env, base);
  // k6's open() is a global of the init context; it is exported by 'mcprun' too.
  if (!('open' in g)) g.open = open;
}
