// Compiles the TypeScript sources to dist/ so `npx mcprun` and `import 'mcprun'` work after a plain
// `npm install` (this runs as the package's `prepare` script). tsc also emits the .d.ts files that
// carry the DSL's types, which are the product for scenario authors.
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
  if (existsSync(join(root, 'dist/bin/mcprun.js'))) process.exit(0);
  console.error('mcprun build: typescript is not installed; run `npm install` in the mcprun folder first.');
  process.exit(1);
}
// dist/ is not wiped first: tests of other files may be running from it (tsc overwrites what changed).
const r = spawnSync(process.execPath, [tscBin, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
if (existsSync(join(root, 'dist/bin/mcprun.js'))) chmodSync(join(root, 'dist/bin/mcprun.js'), 0o755);
if (r.status !== 0) process.exit(r.status ?? 1);
