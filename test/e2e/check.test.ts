/**
 * `mcprun check`, `run --typecheck`, `mcprun init` and the floating-promise warning, through the
 * real CLI (dist/cli.mjs) as a user runs them. The ground truth for "no load was sent" is a
 * counting HTTP server on 127.0.0.1 that the scenarios would hit if any VU ran.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../support/run-cli.js';
import { startCountingServer, type CountingServer } from '../support/http-server.js';
import { tempDir } from '../support/temp.js';

let server: CountingServer;
let dir: string;

beforeAll(async () => {
  server = await startCountingServer();
  dir = tempDir();
});
afterAll(() => server.close());

function write(name: string, source: string): string {
  writeFileSync(join(dir, name), source);
  return name;
}

const STATUS_CODE = `import { check, defineScenario, http } from 'mcprun';

export const options = defineScenario({ vus: 1, iterations: 3 });

export default async function () {
  const res = await http.get(__ENV.TARGET ?? 'http://127.0.0.1:1/');
  check(res, { 'is 200': (r) => r.statusCode === 200 });
}
`;

describe('mcprun check', () => {
  test('every example is clean: exit 0, a plan for each, no load sent', async () => {
    const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.ts')).map((f) => `examples/${f}`);
    expect(examples.length).toBeGreaterThanOrEqual(5);
    const r = await runCli(['check', '--json', ...examples], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; files: Array<{ file: string; ok: boolean; types: unknown[]; plan: { scenarios: unknown[]; peakVus: number } | null }> };
    expect(report.ok).toBe(true);
    expect(report.files.map((f) => f.file)).toEqual(examples);
    for (const f of report.files) {
      expect(f.types).toEqual([]);
      expect(f.plan?.scenarios.length).toBeGreaterThan(0);
      expect(f.plan?.peakVus).toBeGreaterThan(0);
    }
  });

  test('a type error (res.statusCode): exit 107 naming file:line:column and the property; no request reaches the server', async () => {
    write('status-code.ts', STATUS_CODE);
    const r = await runCli(['check', 'status-code.ts', '-e', `TARGET=${server.url}`], { cwd: dir });
    expect(r.code).toBe(107);
    expect(r.stdout).toContain("status-code.ts:7:35: TS2339 Property 'statusCode' does not exist on type 'HttpResponse'.");
    // The options are fine: the plan is still printed.
    expect(r.stdout).toMatch(/default\s+shared-iterations: 3 iterations shared among 1 VUs/);
    expect(r.stderr).toContain('no load was sent');
    expect(server.requests).toHaveLength(0);
  });

  test('run --typecheck and options.typecheck stop at the same error before any load (107)', async () => {
    const flag = await runCli(['run', 'status-code.ts', '--typecheck', '-e', `TARGET=${server.url}`], { cwd: dir });
    expect(flag.code).toBe(107);
    expect(flag.stderr).toContain("status-code.ts:7:35: TS2339 Property 'statusCode' does not exist on type 'HttpResponse'.");
    write('typecheck-option.ts', STATUS_CODE.replace('{ vus: 1, iterations: 3 }', '{ vus: 1, iterations: 3, typecheck: true }'));
    const option = await runCli(['typecheck-option.ts', '-e', `TARGET=${server.url}`], { cwd: dir });
    expect(option.code).toBe(107);
    expect(option.stderr).toContain('typecheck-option.ts:7:35: TS2339');
    expect(server.requests).toHaveLength(0);
    // Without the check, the same file runs (types are only stripped): the server is reached.
    const plain = await runCli(['status-code.ts', '-q', '-e', `TARGET=${server.url}`], { cwd: dir });
    expect(plain.code).toBe(0);
    expect(server.requests).toHaveLength(3);
  });

  test('a misspelled executor: exit 104 with the option path and the fix', async () => {
    write('executor.ts', `import { defineScenario } from 'mcprun';\nexport const options = defineScenario({ scenarios: { a: { executor: 'constant-vu', vus: 1, duration: '1s' } } });\nexport default async function () {}\n`);
    const r = await runCli(['check', 'executor.ts'], { cwd: dir });
    expect(r.code).toBe(104);
    expect(r.stdout).toContain('scenarios.a.executor "constant-vu" is not an executor; did you mean "constant-vus"?');
    const json = await runCli(['check', 'executor.ts', '--json'], { cwd: dir });
    expect(json.code).toBe(104);
    const report = JSON.parse(json.stdout) as { ok: boolean; exitCode: number; files: Array<{ error: { code: string } | null; types: Array<{ line: number; code: string }> }> };
    expect(report).toMatchObject({ ok: false, exitCode: 104 });
    expect(report.files[0].error?.code).toBe('MCPRUN_CONFIG');
    // The compiler flags it too, at its line.
    expect(report.files[0].types.map((t) => [t.line, t.code])).toEqual([[2, 'TS2820']]);
  });

  test('every unknown option key at once (104), each named with its path', async () => {
    write('keys.ts', `import { defineScenario } from 'mcprun';\nexport const options = defineScenario({ vu: 1, durations: '1s', iterations: 1 } as never);\nexport default async function () {}\n`);
    const r = await runCli(['check', 'keys.ts'], { cwd: dir });
    expect(r.code).toBe(104);
    expect(r.stdout).toContain('options.vu is not a known option; did you mean "vus"?');
    expect(r.stdout).toContain('options.durations is not a known option; did you mean "duration"?');
  });

  test('`mcprun inspect s.ts` is an unknown command (104), not a scenario named "inspect"', async () => {
    const r = await runCli(['inspect', 'status-code.ts'], { cwd: dir });
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('unknown command "inspect"');
    expect(r.stderr).toContain('mcprun check prints the resolved plan');
  });
});

describe('floating promises', () => {
  test('an un-awaited sleep(1) (and http.get) run for 2 s: one warning naming each line, in the summary JSON too', async () => {
    // The request must outlast the iteration to be pending at its end: the server answers after 300 ms.
    const slow = await startCountingServer((_q, res) => void setTimeout(() => res.end('ok'), 300));
    write('float.ts', `import { check, defineScenario, http, sleep } from 'mcprun';

export const options = defineScenario({ vus: 2, duration: '2s' });

export default async function () {
  check(1, { one: (x) => x === 1 });
  sleep(1);
  http.get(__ENV.TARGET ?? 'http://127.0.0.1:1/');
  await sleep(0.05);
}
`);
    const r = await runCli(['float.ts', '--no-progress', '--summary-export', 'float.json', '-e', `TARGET=${slow.url}`], { cwd: dir });
    await slow.close();
    expect(r.code).toBe(0);
    const sleepWarning = 'sleep() at float.ts:7 was not awaited: add `await`';
    const httpWarning = 'http.get() at float.ts:8 was not awaited: add `await`';
    expect(r.stderr).toContain(`mcprun: warning: ${sleepWarning}`);
    expect(r.stderr).toContain(`mcprun: warning: ${httpWarning}`);
    // Once each, for both VUs and every iteration.
    expect(r.stderr.split(sleepWarning)).toHaveLength(2);
    // The awaited sleep at line 9 is not reported.
    expect(r.stderr).not.toContain('float.ts:9');
    const warnings = (JSON.parse(readFileSync(join(dir, 'float.json'), 'utf8')) as { mcprun: { warnings: string[] } }).mcprun.warnings;
    expect(warnings.filter((w) => w.startsWith('sleep() at float.ts:7') || w.startsWith('http.get() at float.ts:8'))).toHaveLength(2);
  });
});

describe('mcprun init', () => {
  test('writes a scenario, a tsconfig and scripts; the output type-checks with tsc, passes check and runs', async () => {
    const project = join(dir, 'new-test');
    const r = await runCli(['init', project]);
    expect(r.code).toBe(0);
    for (const f of ['scenario.ts', 'tsconfig.json', 'package.json']) expect(existsSync(join(project, f))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['load:check']).toBe('mcprun check scenario.ts');
    // Plain tsc, as an editor would: the tsconfig alone makes it resolve 'mcprun' and node's types.
    const tsc = spawnSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', project], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const check = await runCli(['check', 'scenario.ts'], { cwd: project });
    expect(check.code).toBe(0);
    const before = server.requests.length;
    const run = await runCli(['run', 'scenario.ts', '--duration', '1s', '-q', '-e', `TARGET=${server.url}`], { cwd: project });
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    expect(server.requests.length).toBeGreaterThan(before);
    // A second init does not overwrite what is there.
    const again = await runCli(['init', project]);
    expect(again.code).toBe(104);
    expect(again.stderr).toContain('would overwrite');
  });
});
