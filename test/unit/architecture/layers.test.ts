/**
 * Imports run one way, top to bottom, type imports included; no module imports itself back through
 * others. The order is written down here and drawn in docs/architecture.md. dependency-cruiser reads
 * the import graph (it parses TypeScript with the compiler, so `import type` counts); this file only
 * says which edges are forbidden.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions, type IViolation } from 'dependency-cruiser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Top first. A module may import its own layer and any layer below it, never one above. */
export const LAYERS: ReadonlyArray<{ name: string; path: string }> = [
  // runtime-entry.ts hands the DSL to bundled scenarios (and starts the worker loop): an entry point too.
  { name: 'entry points (bin, runtime/index.ts, runtime/runtime-entry.ts, dsl)', path: '^(bin/|dsl/|runtime/index\\.ts$|runtime/runtime-entry\\.ts$)' },
  { name: 'cli', path: '^runtime/cli/' },
  // Kubernetes objects for one run, rendered for `mcprun k8s`.
  { name: 'k8s', path: '^runtime/k8s/' },
  { name: 'coordinator', path: '^runtime/coordinator/' },
  // Coordinator-side parts of the run: fault schedules and managed targets; the system-under-test sampler.
  { name: 'faults', path: '^runtime/faults/' },
  { name: 'sut', path: '^runtime/sut/' },
  { name: 'output', path: '^runtime/output/' },
  { name: 'config', path: '^runtime/config/' },
  { name: 'bundle', path: '^runtime/bundle/' },
  { name: 'worker', path: '^runtime/worker/' },
  { name: 'worker-protocol', path: '^runtime/worker-protocol\\.ts$' },
  { name: 'executors', path: '^runtime/executors/' },
  { name: 'protocols', path: '^runtime/protocols/' },
  { name: 'metrics', path: '^runtime/metrics/' },
  { name: 'thresholds', path: '^runtime/thresholds/' },
  // errors.ts, exit-codes.ts, duration.ts, paths.ts, version.ts, stack-location.ts, timers.ts: they import only each other.
  { name: 'leaves', path: '^runtime/(?!index\\.ts$|runtime-entry\\.ts$|worker-protocol\\.ts$)[^/]+\\.ts$' },
];

type Rule = NonNullable<NonNullable<ICruiseOptions['ruleSet']>['forbidden']>[number];

function layerRules(): Rule[] {
  const rules: Rule[] = LAYERS.slice(1).map((layer, i) => ({
    name: `upward from ${layer.name}`,
    severity: 'error',
    from: { path: layer.path },
    to: { path: LAYERS.slice(0, i + 1).map((l) => `(${l.path})`).join('|') },
  }));
  rules.push(
    // The DSL is what scenario authors import; the entry module that hands it to a bundle is top-level.
    { name: 'imports dsl/', severity: 'error', from: { pathNot: '^(dsl/|runtime/runtime-entry\\.ts$)' }, to: { path: '^dsl/' } },
    // Both sides of the worker boundary import it, so it carries shapes only.
    { name: 'worker-protocol imports more than types', severity: 'error', from: { path: '^runtime/worker-protocol\\.ts$' }, to: { dependencyTypesNot: ['type-only', 'core'] } },
    { name: 'cycle', severity: 'error', from: {}, to: { circular: true } },
  );
  return rules;
}

async function violations(baseDir: string, roots: string[]): Promise<string[]> {
  const result = await cruise(roots, {
    baseDir,
    validate: true,
    ruleSet: { forbidden: layerRules() },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  });
  if (typeof result.output === 'string') throw new Error('dependency-cruiser returned text, expected a cruise result');
  return result.output.summary.violations.map(describeViolation).sort();
}

function describeViolation(v: IViolation): string {
  // A cycle is reported once, at one of its edges, with the whole loop.
  const path = v.cycle?.length ? [v.from, ...v.cycle.map((c) => c.name)] : [v.from, v.to];
  return `${v.rule.name}: ${path.join(' -> ')}`;
}

describe('layers', () => {
  let ours: Promise<string[]> | undefined;
  const ofThisTree = () => (ours ??= violations(ROOT, ['bin', 'dsl', 'runtime']));

  test('no import runs upward, reaches into dsl/, or closes a cycle', async () => {
    const found = await ofThisTree();
    expect(found).toEqual([]);
  });

  test('every folder and file of runtime/ has its place in the order', () => {
    const unplaced = readdirSync(join(ROOT, 'runtime'), { withFileTypes: true })
      .map((e) => `runtime/${e.name}${e.isDirectory() ? '/' : ''}`)
      .filter((p) => (p.endsWith('/') || p.endsWith('.ts')) && !LAYERS.some((l) => new RegExp(l.path).test(p)));
    expect(unplaced).toEqual([]);
  });

  describe('catches a wrong-way import in a tree of its own', () => {
    let dir = '';
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'mcprun-layers-'));
      write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', verbatimModuleSyntax: true } }));
      write('runtime/output/summary.ts', "import { plan } from '../config/plan.js';\nexport interface Summary { n: number }\nexport const s = plan;\n");
      write('runtime/config/plan.ts', 'export const plan = 1;\n');
      // Type-only, and upward: metrics/ is below output/.
      write('runtime/metrics/store.ts', "import type { Summary } from '../output/summary.js';\nexport const x: Summary | undefined = undefined;\n");
      // A cycle inside one folder.
      write('runtime/thresholds/a.ts', "import { b } from './b.js';\nexport const a = () => b;\n");
      write('runtime/thresholds/b.ts', "import { a } from './a.js';\nexport const b = () => a;\n");
      write('runtime/errors.ts', "import type { plan } from './config/plan.js';\nexport type P = typeof plan;\n");
      // Nobody imports the DSL; the worker protocol carries types only.
      write('dsl/index.ts', 'export const sleep = 1;\n');
      write('runtime/cli/main.ts', "import { sleep } from '../../dsl/index.js';\nexport const s = sleep;\n");
      write('runtime/worker-protocol.ts', "import { x } from './metrics/store.js';\nexport const y = x;\n");
    });

    test('each bad edge is reported, the good one is not', async () => {
      expect(await violations(dir, ['runtime', 'dsl'])).toEqual([
        'cycle: runtime/thresholds/a.ts -> runtime/thresholds/b.ts -> runtime/thresholds/a.ts',
        'imports dsl/: runtime/cli/main.ts -> dsl/index.ts',
        'upward from cli: runtime/cli/main.ts -> dsl/index.ts',
        'upward from leaves: runtime/errors.ts -> runtime/config/plan.ts',
        'upward from metrics: runtime/metrics/store.ts -> runtime/output/summary.ts',
        'worker-protocol imports more than types: runtime/worker-protocol.ts -> runtime/metrics/store.ts',
      ]);
    });
  });
});
