/**
 * The fault engine keeps to its layers (DESIGN §8): the proxy is a protocol (it never reaches up
 * into worker/ or config/), runtime/faults/ sits below the coordinator and above output/, and the
 * fault config is config (nothing above it). Type imports count too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const RUNTIME = resolve(dirname(fileURLToPath(import.meta.url)), '../../../runtime');
const LEAVES = ['errors.ts', 'exit-codes.ts', 'paths.ts', 'version.ts', 'stack-location.ts'];

/** The runtime/ places a file imports: a top-level folder, or a leaf file's name. */
function importedPlaces(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]).filter((s) => s.startsWith('.'));
  return specs.map((s) => relative(RUNTIME, resolve(dirname(file), s)).replace(/\.js$/, '.ts').split('/')[0]);
}

function filesOf(...paths: string[]): string[] {
  return paths.flatMap((p) => (p.endsWith('.ts') ? [join(RUNTIME, p)] : readdirSync(join(RUNTIME, p)).map((f) => join(RUNTIME, p, f))));
}

describe.each([
  ['protocols/fault-proxy', filesOf('protocols/fault-proxy'), ['protocols', 'metrics', 'thresholds', ...LEAVES]],
  ['faults', filesOf('faults'), ['faults', 'config', 'executors', 'worker', 'protocols', 'metrics', 'thresholds', ...LEAVES]],
  [
    'config (faults)',
    filesOf('config/faults-resolve.ts', 'config/faults-resolved.ts', 'config/fault-kinds.ts', 'config/fault-window.ts', 'config/scenario-bounds.ts', 'config/byte-size.ts', 'config/command-path.ts'),
    ['config', 'executors', 'worker', 'protocols', 'metrics', 'thresholds', ...LEAVES],
  ],
])('%s', (_layer, files, allowed) => {
  test.each(files.map((f) => [relative(RUNTIME, f), f]))('%s imports only from below', (_name, file) => {
    const outside = importedPlaces(file).filter((p) => !allowed.includes(p));
    expect(outside).toEqual([]);
  });
});
