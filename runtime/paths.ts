/**
 * Where the built files are. The same code runs from tsc's dist/ tree, from the esbuild bundles
 * in dist/ (dist/cli.mjs, dist/mcprun-runtime.mjs) and from sources under vitest, so paths are
 * found from the nearest `dist` folder above this module, else <package root>/dist.
 */
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findDist(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (basename(dir) === 'dist') return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  // Sources (tests): runtime/ is one level below the package root.
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
}

export const DIST_DIR = findDist();
export const PACKAGE_ROOT = dirname(DIST_DIR);
/**
 * One ESM file holding the DSL, the worker loop and every protocol client: the worker entry (thread
 * or process) and what `import 'mcprun'` resolves to inside scenario bundles, so scenario code and
 * the worker share one module instance per realm, and a worker loads one file instead of hundreds.
 */
export const RUNTIME_BUNDLE = join(DIST_DIR, 'mcprun-runtime.mjs');
