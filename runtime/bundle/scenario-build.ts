/**
 * The esbuild call that bundles a scenario, startable before the CLI proper has loaded: dist/cli.mjs
 * starts it as soon as it can read the scenario's path from argv, and esbuild (a process of its
 * own) bundles while Node loads the CLI. bundle.ts takes the pending build over, or starts one
 * itself, and turns its errors into mcprun's messages. Kept free of heavy imports for that reason.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BuildResult, Plugin } from 'esbuild';
import { RUNTIME_BUNDLE } from '../paths.js';

export interface ScenarioBuild {
  /** Absolute path of the scenario. */
  readonly abs: string;
  /** Temporary folder holding `out`. */
  readonly dir: string;
  /** Where the bundle goes (known before the build, so the source map's paths resolve). */
  readonly out: string;
  readonly result: Promise<BuildResult<{ write: false }>>;
}

const KEY = Symbol.for('mcprun.pendingScenarioBuild');

export function startScenarioBuild(abs: string): ScenarioBuild {
  // `import 'mcprun'` in a scenario is the runtime bundle: the same module instance the worker runs.
  const mcprunPlugin: Plugin = {
    name: 'mcprun-dsl',
    setup(b) {
      // require() takes a path, import a URL; both load the one ES module (require(esm), Node >= 20.19).
      b.onResolve({ filter: /^mcprun$/ }, (a) => ({ path: a.kind === 'require-call' ? RUNTIME_BUNDLE : pathToFileURL(RUNTIME_BUNDLE).href, external: true }));
    },
  };
  const dir = mkdtempSync(join(tmpdir(), 'mcprun-'));
  const out = join(dir, 'scenario.mjs');
  // require(), not import: Node would lex esbuild's CommonJS source to find its exports at every start.
  const { build } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const result = build({
    outfile: out,
    entryPoints: [abs],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    sourcesContent: false,
    logLevel: 'silent',
    plugins: [mcprunPlugin],
    // CommonJS packages bundled into ESM still call require() for Node built-ins.
    // The bundle runs from a temporary folder: `open()` and relative data paths resolve against the
    // scenario file, which the bundle names here (scenario-file.ts reads it).
    banner: {
      js: `import { createRequire as __mcprunCreateRequire } from 'node:module'; const require = __mcprunCreateRequire(import.meta.url); globalThis[Symbol.for('mcprun.scenarioFile')] = ${JSON.stringify(abs)};`,
    },
    // import.meta.url in the scenario's code is the scenario file's URL, not the temporary bundle's:
    // `new URL('./users.csv', import.meta.url)` finds the file next to the scenario.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(abs).href) },
    absWorkingDir: dirname(abs),
  });
  return { abs, dir, out, result };
}

/** Called by dist/cli.mjs with the path it read from argv: starts the build if the file exists. */
export function prebuildScenario(script: string | undefined): void {
  if (!script) return;
  const abs = resolve(script);
  try {
    if (!existsSync(abs) || !statSync(abs).isFile()) return;
    const b = startScenarioBuild(abs);
    // Nobody may come for it (a flag error ends the run first): no unhandled rejection, no leftover folder.
    b.result.catch(() => {});
    const cleanup = () => {
      if ((globalThis as Record<symbol, unknown>)[KEY] === b) rmSync(b.dir, { recursive: true, force: true });
    };
    process.once('exit', cleanup);
    (globalThis as Record<symbol, unknown>)[KEY] = b;
  } catch {
    // Anything odd here is bundle.ts's to report, the usual way.
  }
}

/** The build dist/cli.mjs started for `abs`, if any (once). */
export function takePrebuilt(abs: string): ScenarioBuild | undefined {
  const g = globalThis as Record<symbol, unknown>;
  const b = g[KEY] as ScenarioBuild | undefined;
  if (!b || b.abs !== abs) return undefined;
  g[KEY] = undefined;
  return b;
}
