// Builds dist/ so `npx mcprun` and `import 'mcprun'` work after a plain `npm install` (this runs as
// the package's `prepare` script):
//  1. tsc compiles the sources to dist/ with the .d.ts files that carry the DSL's types (the
//     product for scenario authors) and the modules behind `mcprun/runtime`;
//  2. esbuild bundles single files, because loading one file is far faster than resolving
//     hundreds of ESM/CJS modules at every start (bench/startup.mjs measures it):
//     dist/cli.mjs (the `mcprun` command: a few lines that start the worker threads, then load
//     dist/mcprun-cli.mjs, the CLI proper) and dist/mcprun-runtime.mjs (DSL + worker + protocols,
//     the worker entry and what `import 'mcprun'` means inside a scenario).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
let tscBin;
try {
  tscBin = require.resolve('typescript/bin/tsc');
} catch {
  // Installed as a dependency of another project (no devDependencies): dist/ ships in the package.
  if (existsSync(join(root, 'dist/cli.mjs'))) process.exit(0);
  console.error('mcprun build: typescript is not installed; run `npm install` in the mcprun folder first.');
  process.exit(1);
}
// dist/ is not wiped first: tests of other files may be running from it (tsc overwrites what changed).
const r = spawnSync(process.execPath, [tscBin, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
if (r.status !== 0) process.exit(r.status ?? 1);

const { buildSync } = await import('esbuild');
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // No source maps: Node would parse them at every start once source maps are enabled (the
  // scenario's own inline map is what users' stack traces need).
  sourcemap: false,
  logLevel: 'warning',
  // esbuild finds its native binary next to its own package; ws's native add-ons are optional.
  external: ['esbuild', 'bufferutil', 'utf-8-validate'],
  // CommonJS dependencies bundled into ESM still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __mcprunRequire } from 'node:module'; const require = __mcprunRequire(import.meta.url);" },
};
buildSync({ ...common, entryPoints: [join(root, 'dist/runtime/runtime-entry.js')], outfile: join(root, 'dist/mcprun-runtime.mjs') });
// The CLI proper, loaded by dist/cli.mjs once it has started the workers (runtime/coordinator/prespawn.ts).
// yargs stays outside it: loaded from node_modules only for --help, --version and flag errors
// (runtime/cli/parse.ts), it is ~230 KB the common start need not parse.
buildSync({ ...common, external: [...common.external, 'yargs'], entryPoints: [join(root, 'dist/runtime/cli/main.js')], outfile: join(root, 'dist/mcprun-cli.mjs') });
buildSync({
  ...common,
  entryPoints: [join(root, 'dist/bin/mcprun.js')],
  // The entry's own `#!/usr/bin/env node` line is kept by esbuild as the first line.
  outfile: join(root, 'dist/cli.mjs'),
});
chmodSync(join(root, 'dist/cli.mjs'), 0o755);
