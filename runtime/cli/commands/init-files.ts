/**
 * What `mcprun init` writes (as `k6 new`): a commented scenario, a tsconfig.json with which
 * editors and tsc resolve `import 'mcprun'` and its types, and a package.json script. Pure: the
 * paths it is given decide the tsconfig (see tsconfigFor).
 */

export const SCENARIO_TS = `/**
 * A first mcprun scenario (written by \`mcprun init\`).
 *
 *   npx mcprun check scenario.ts                                  # types and options, no load sent
 *   npx mcprun run scenario.ts -e TARGET=http://127.0.0.1:8080/   # the load test
 *
 * The DSL is k6's, in TypeScript: docs/dsl.md. Typing rules and the tsconfig: docs/typescript.md.
 */
import { check, defineDefault, defineScenario, http, sleep } from 'mcprun';

// Where the load goes: -e TARGET=URL on the command line. __ENV values may be absent: give a default.
const TARGET = __ENV.TARGET ?? 'http://127.0.0.1:8080/';

export const options = defineScenario({
  // k6's shortcut: 2 VUs, each running the default function in a loop for 10 s.
  vus: 2,
  duration: '10s',
  thresholds: {
    // The run fails (exit code 99) when one of these does not hold at the end.
    http_req_failed: ['rate<0.01'], // under 1% of requests fail
    http_req_duration: ['p(95)<500ms'], // 95% answered within 500 ms
    checks: ['rate>0.99'], // the check below passes for over 99% of iterations
  },
});

// Runs once, before any VU starts. What it returns is \`data\` in the default function.
export async function setup() {
  return { startedAt: Date.now() };
}

// One iteration of one VU. defineDefault<typeof setup> types \`vu\` and \`data\` without annotations.
// Await every call: sleep() and http.get() return promises (k6's sleep blocks; mcprun's does not).
export default defineDefault<typeof setup>(async (vu, data) => {
  const res = await http.get(TARGET, { tags: { name: 'home' } });
  check(res, {
    'status is 200': (r) => r.status === 200,
    'answered after setup': () => Date.now() >= data.startedAt,
  });
  if (vu.iteration === 0) console.log(\`VU \${vu.id} started\`);
  await sleep(0.5);
});
`;

export interface TsconfigPaths {
  /** Relative path to the running mcprun's dist/dsl/index.d.ts, when the folder cannot resolve 'mcprun' itself. */
  mcprunTypes: string | undefined;
  /** Relative path to the folder that holds mcprun's @types/node, when the folder has none. */
  nodeTypeRoot: string | undefined;
}

/**
 * The compiler options `mcprun check` uses by default (runtime/bundle/type-check.ts): strict, and
 * resolution as esbuild bundles (`bundler`: imports without extensions, package exports).
 */
export function tsconfigFor(p: TsconfigPaths): string {
  const compilerOptions: Record<string, unknown> = {
    target: 'ES2023',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    allowImportingTsExtensions: true,
    isolatedModules: true,
  };
  // mcprun is not installed in this folder (npx, a global install): point at the one that wrote this.
  if (p.mcprunTypes) compilerOptions.paths = { mcprun: [p.mcprunTypes], 'mcprun/runtime': [p.mcprunTypes.replace(/dsl\/index\.d\.ts$/, 'runtime/index.d.ts')] };
  if (p.nodeTypeRoot) compilerOptions.typeRoots = ['./node_modules/@types', p.nodeTypeRoot];
  return `${JSON.stringify({ compilerOptions, include: ['**/*.ts'], exclude: ['node_modules'] }, null, 2)}\n`;
}

/** package.json's scripts as `mcprun init` adds them (existing ones are kept). */
export const SCRIPTS: Readonly<Record<string, string>> = {
  'load:check': 'mcprun check scenario.ts',
  load: 'mcprun run scenario.ts',
};
