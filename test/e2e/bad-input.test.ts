/**
 * The bad-input catalogue (issue 8, item 4): malformed scenario files, options, thresholds, CLI
 * flags and -e values, each run through the real CLI. Every one must exit 104 (invalid
 * configuration) or 107 (the script is broken) before anything is sent, with one short paragraph
 * that names the input, the place (file:line:column or option path) and what to write instead —
 * and no stack trace unless --verbose. The messages are pinned with inline snapshots: a change to
 * one is a user-visible change and goes in the CHANGELOG.
 *
 * "Duplicate scenario names": a JavaScript object literal cannot hold two scenarios under one name
 * at run time (the last one silently wins), so mcprun catches the two ways a user writes one:
 * the same key twice in an object literal of the scenario file (reported from the compiler's
 * duplicate-key diagnostic with file:line:column, exit 107), and two names that differ only in
 * case (`Smoke` and `smoke`), which read as one scenario in reports and collide as file names on
 * case-insensitive file systems (exit 104).
 *
 * The scenario files are written to a temporary folder that is also the CLI's working directory,
 * so messages show `name.ts:line:col`. The processes run four at a time in `beforeAll`; each row
 * then only compares text.
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, runCli, type CliResult } from '../support/run-cli.js';

interface Case {
  name: string;
  /** Scenario files to write into the temp folder (name → source). */
  files?: Record<string, string>;
  args: string[];
  exit: 104 | 107;
  snap: (text: string) => void;
}

/** A scenario file: `options` source, and a default export unless `body` says otherwise. */
function scenario(options: string, body = 'export default async function () {}'): string {
  return `import { defineScenario } from 'mcprun';\n\nexport const options = ${options};\n\n${body}\n`;
}
const OK = scenario(`{ iterations: 1 }`);
/** Shorthand: one scenario file named `${file}.ts` run with no flags. */
function file(name: string, source: string, args: string[] = []): Pick<Case, 'files' | 'args'> {
  return { files: { [`${name}.ts`]: source }, args: [`${name}.ts`, ...args] };
}
const thresholds = (t: string) => scenario(`defineScenario({ iterations: 1, thresholds: ${t} })`);

const cases: Case[] = [
  // ── scenario files: the script itself (exit 107) ────────────────────────────────────────────────
  {
    name: 'syntax error',
    ...file('syntax', scenario(`{ iterations: 1 }`, 'export default async function () {\n  const x = ;\n}')),
    exit: 107,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 107
      mcprun: the scenario does not compile:
      syntax.ts:6:13: Unexpected ";"
            const x = ;
                      ^"
    `),
  },
  {
    name: 'TypeScript syntax error',
    ...file('ts-syntax', scenario(`{ iterations: 1 }`, 'export default async function (): Promise<void {\n}')),
    exit: 107,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 107
      mcprun: the scenario does not compile:
      ts-syntax.ts:5:48: Expected ">" but found "{"
          export default async function (): Promise<void {
                                                         ^"
    `),
  },
  {
    name: 'missing default export',
    ...file('no-default', scenario(`{ iterations: 1 }`, 'export async function run() {}')),
    exit: 107,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 107
      mcprun: no-default.ts has no function for scenario "default": expected a default export that is a function. Add \`export default async function (vu, data) { ... }\`."
    `),
  },
  {
    name: 'default export is not a function',
    ...file('default-object', scenario(`{ iterations: 1 }`, 'export default { run: async () => {} };')),
    exit: 107,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 107
      mcprun: default-object.ts has no function for scenario "default": expected a default export that is a function, found an object. Add \`export default async function (vu, data) { ... }\`."
    `),
  },
  {
    name: 'import of a missing package',
    ...file('missing-package', `import leftPad from 'left-pad-that-does-not-exist';\n${OK}\nleftPad;\n`),
    exit: 107,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 107
      mcprun: the scenario does not compile:
      missing-package.ts:1:21: Could not resolve "left-pad-that-does-not-exist"
          import leftPad from 'left-pad-that-does-not-exist';
                              ^
          Install it in the scenario's project (npm install left-pad-that-does-not-exist) or fix the import."
    `),
  },
  {
    name: 'import of a missing relative file',
    ...file('missing-relative', `import { token } from './helpers';\n${OK}\ntoken;\n`),
    exit: 107,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 107
      mcprun: the scenario does not compile:
      missing-relative.ts:1:23: Could not resolve "./helpers"
          import { token } from './helpers';
                                ^
          No file at that path relative to missing-relative.ts (with or without .ts, .js or .json, or as a folder with an index file): fix the path."
    `),
  },
  {
    name: 'top-level code throws',
    ...file('top-level-throw', `if (!process.env.TARGET) throw new Error('set TARGET');\n${OK}`),
    exit: 107,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 107
      mcprun: the scenario threw while loading (top-level-throw.ts): Error: set TARGET (at top-level-throw.ts:1:32). Top-level code runs once per worker to read options; keep it to declarations."
    `),
  },
  {
    name: 'exec names a function that is not exported',
    ...file(
      'exec-missing',
      scenario(`{ scenarios: { buy: { executor: 'shared-iterations', exec: 'checkout' } } }`, 'export async function chekout() {}'),
    ),
    exit: 107,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 107
      mcprun: exec-missing.ts has no function for scenario "buy": expected an export named "checkout" that is a function. Export it (\`export async function checkout(vu, data) { ... }\`) or set exec to one of: chekout."
    `),
  },
  {
    name: 'setup is not a function',
    ...file('setup-object', scenario(`{ iterations: 1 }`, "export const setup = { token: 'x' };\nexport default async function () {}")),
    exit: 107,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 107
      mcprun: setup-object.ts exports "setup" but it is an object, not a function. Write \`export async function setup() { ... }\`."
    `),
  },
  {
    name: 'duplicate scenario name (the same key twice)',
    ...file(
      'duplicate-key',
      scenario(`defineScenario({
  scenarios: {
    smoke: { executor: 'shared-iterations', iterations: 1 },
    smoke: { executor: 'constant-vus', vus: 1, duration: '1s' },
  },
})`),
    ),
    exit: 107,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 107
      mcprun: the scenario does not compile:
      duplicate-key.ts:6:5: Duplicate key "smoke" in object literal
              smoke: { executor: 'constant-vus', vus: 1, duration: '1s' },
              ^
          The later key silently replaces the earlier one (duplicate-key.ts:5:5): rename one of them, or merge them into one."
    `),
  },
  {
    name: 'scenario file not found',
    args: ['nowhere.ts'],
    exit: 107,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 107
      mcprun: scenario file not found: nowhere.ts (looked for <tmp>/nowhere.ts). Check the path; run \`mcprun path/to/scenario.ts\`."
    `),
  },

  // ── options (exit 104) ─────────────────────────────────────────────────────────────────────────
  {
    name: 'options is a string',
    ...file('options-string', scenario(`'fast'`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in options-string.ts:
        - options must be an object (export const options = defineScenario({ ... })), received "fast"
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'options is an array',
    ...file('options-array', scenario(`[{ vus: 1 }]`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in options-array.ts:
        - options must be an object (export const options = defineScenario({ ... })), received an array
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'scenarios is an array',
    ...file('scenarios-array', scenario(`{ scenarios: [{ executor: 'shared-iterations' }] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in scenarios-array.ts:
        - options.scenarios must be an object of named scenarios, e.g. { smoke: { executor: 'constant-vus', vus: 1, duration: '10s' } }, received an array
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'unknown option key',
    ...file('unknown-option', scenario(`{ vu: 10, iterations: 10 }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in unknown-option.ts:
        - options.vu is not a known option; did you mean "vus"? Known options: scenarios, thresholds, vus, duration, iterations, stages, http, setupTimeout, teardownTimeout, sut, typecheck, targets, faults, tags, summaryTrendStats, tlsAuth.
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'unknown scenario option (a typo) and the option it hides missing',
    ...file('unknown-scenario-option', scenario(`{ scenarios: { load: { executor: 'constant-vus', vus: 2, duraton: '10s' } } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in unknown-scenario-option.ts:
        - scenarios.load.duraton is not an option of the constant-vus executor; did you mean "duration"? Its options are startTime, after, gracefulStop, exec, env, tags, thresholds, vus, duration.
        - scenarios.load.duration is required: write a duration such as "30s" or "5m"
      Fix these 2 problems and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'negative duration',
    ...file('negative-duration', scenario(`{ vus: 1, duration: '-5s' }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in negative-duration.ts:
        - options.duration must be a positive duration such as "500ms", "30s", "1m30s" or "1h", received "-5s"
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'non-numeric duration',
    ...file('word-duration', scenario(`{ vus: 1, duration: 'soon' }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in word-duration.ts:
        - options.duration must be a positive duration such as "500ms", "30s", "1m30s" or "1h", received "soon"
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'duration with a space and a word unit',
    ...file('spaced-duration', scenario(`{ scenarios: { s: { executor: 'constant-vus', duration: '10s', gracefulStop: '30 seconds' } } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in spaced-duration.ts:
        - scenarios.s.gracefulStop must be a non-negative duration such as "500ms", "30s", "1m30s" or "1h", received "30 seconds"; did you mean "30s"?
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'negative number as a duration',
    ...file('negative-start', scenario(`{ scenarios: { s: { executor: 'shared-iterations', startTime: -1000 } } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in negative-start.ts:
        - scenarios.s.startTime must be a non-negative duration such as "500ms", "30s", "1m30s" or "1h", received -1000
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'unknown executor',
    ...file('unknown-executor', scenario(`{ scenarios: { s: { executor: 'constant-vu', vus: 1, duration: '1s' } } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in unknown-executor.ts:
        - scenarios.s.executor "constant-vu" is not an executor; did you mean "constant-vus"? Executors: shared-iterations, per-vu-iterations, constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate, capacity-search.
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'executor missing',
    ...file('no-executor', scenario(`{ scenarios: { s: { vus: 1, duration: '1s' } } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in no-executor.ts:
        - scenarios.s.executor is required: write one of shared-iterations, per-vu-iterations, constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate, capacity-search.
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'constant-vus without duration',
    ...file('constant-vus-no-duration', scenario(`{ scenarios: { s: { executor: 'constant-vus', vus: 5 } } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in constant-vus-no-duration.ts:
        - scenarios.s.duration is required: write a duration such as "30s" or "5m"
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'constant-arrival-rate without rate and preAllocatedVUs',
    ...file('arrival-missing', scenario(`{ scenarios: { s: { executor: 'constant-arrival-rate', duration: '10s' } } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in arrival-missing.ts:
        - scenarios.s.preAllocatedVUs is required: write a whole number >= 1, e.g. preAllocatedVUs: 10
        - scenarios.s.rate is required: write a number > 0, e.g. rate: 100
      Fix these 2 problems and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'iterations written as a string',
    ...file('iterations-string', scenario(`{ scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: '10' } } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in iterations-string.ts:
        - scenarios.s.iterations must be a whole number >= 1, received "10"; write 10 without quotes
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'fractional vus',
    ...file('fractional-vus', scenario(`{ vus: 2.5, duration: '1s' }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in fractional-vus.ts:
        - options.vus must be a whole number >= 1, received 2.5
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'ramping-vus with empty stages',
    ...file('empty-stages', scenario(`{ scenarios: { ramp: { executor: 'ramping-vus', stages: [] } } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in empty-stages.ts:
        - scenarios.ramp.stages is empty: write at least one stage, e.g. stages: [{ duration: '30s', target: 10 }]
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'ramping-arrival-rate without stages',
    ...file('no-stages', scenario(`{ scenarios: { ramp: { executor: 'ramping-arrival-rate', preAllocatedVUs: 5 } } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in no-stages.ts:
        - scenarios.ramp.stages is required: write at least one stage, e.g. stages: [{ duration: '30s', target: 10 }]
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'stage with a negative target and no duration',
    ...file('bad-stage', scenario(`{ stages: [{ duration: '10s', target: 10 }, { target: -5 }] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in bad-stage.ts:
        - options.stages[1].duration is required: write a duration such as "30s" or "5m"
        - options.stages[1].target must be a number >= 0, received -5
      Fix these 2 problems and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'maxVUs below preAllocatedVUs',
    ...file(
      'max-below-prealloc',
      scenario(`{ scenarios: { s: { executor: 'constant-arrival-rate', rate: 10, duration: '5s', preAllocatedVUs: 10, maxVUs: 5 } } }`),
    ),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in max-below-prealloc.ts:
        - scenarios.s.maxVUs (5) is smaller than preAllocatedVUs (10); raise maxVUs or leave it out
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'timeUnit of zero',
    ...file(
      'zero-time-unit',
      scenario(`{ scenarios: { s: { executor: 'constant-arrival-rate', rate: 10, timeUnit: '0s', duration: '5s', preAllocatedVUs: 2 } } }`),
    ),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in zero-time-unit.ts:
        - scenarios.s.timeUnit must be a positive duration such as "500ms", "30s", "1m30s" or "1h", received "0s"
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'duplicate scenario names that differ only in case',
    ...file(
      'duplicate-case',
      scenario(`{ scenarios: { Smoke: { executor: 'shared-iterations' }, smoke: { executor: 'shared-iterations' } } }`),
    ),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in duplicate-case.ts:
        - scenarios.smoke and scenarios.Smoke differ only in case: they would read as one scenario in the summary and reports, and collide as file names on case-insensitive file systems. Rename one.
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'scenario name with a space',
    ...file('spaced-name', scenario(`{ scenarios: { 'smoke test': { executor: 'shared-iterations' } } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in spaced-name.ts:
        - scenarios["smoke test"] has an invalid name: use letters, digits, "_" and "-" only, e.g. "smoke-test"
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'after cycle',
    ...file(
      'after-cycle',
      scenario(`{ scenarios: {
    warm: { executor: 'shared-iterations', after: 'cool' },
    load: { executor: 'shared-iterations', after: 'warm' },
    cool: { executor: 'shared-iterations', after: 'load' },
  } }`),
    ),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in after-cycle.ts:
        - scenarios.warm.after forms a cycle: warm → cool → load → warm; every phase would wait for another forever. Remove one "after".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'after names the scenario itself',
    ...file('after-self', scenario(`{ scenarios: { load: { executor: 'shared-iterations', after: 'load' } } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in after-self.ts:
        - scenarios.load.after names the scenario itself: a phase cannot wait for its own end. Name the scenario it should follow, or remove "after".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'after names an unknown scenario',
    ...file(
      'after-unknown',
      scenario(`{ scenarios: { baseline: { executor: 'shared-iterations' }, ramp: { executor: 'shared-iterations', after: 'baselin' } } }`),
    ),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in after-unknown.ts:
        - scenarios.ramp.after names a scenario that does not exist: "baselin"; did you mean "baseline"?
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'tags with a number value',
    ...file('tags-number', scenario(`{ scenarios: { s: { executor: 'shared-iterations', tags: { region: 'eu', shard: 3 } } } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in tags-number.ts:
        - scenarios.s.tags.shard must be a string, received 3; write shard: '3'
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'env as an array',
    ...file('env-array', scenario(`{ scenarios: { s: { executor: 'shared-iterations', env: ['A=1'] } } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in env-array.ts:
        - scenarios.s.env must be an object of strings, e.g. env: { region: 'eu' }, received an array
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'http is not an object',
    ...file('http-string', scenario(`{ iterations: 1, http: '30s' }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in http-string.ts:
        - options.http must be an object, e.g. http: { timeout: '30s' }, received "30s"
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'http.timeout of zero and a string for insecureSkipTLSVerify',
    ...file('http-fields', scenario(`{ iterations: 1, http: { timeout: 0, insecureSkipTLSVerify: 'yes' } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in http-fields.ts:
        - options.http.timeout must be a positive duration such as "500ms", "30s", "1m30s" or "1h", received 0
        - options.http.insecureSkipTLSVerify must be true or false, received "yes"
      Fix these 2 problems and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'vus next to scenarios',
    ...file('vus-and-scenarios', scenario(`{ vus: 10, scenarios: { s: { executor: 'shared-iterations' } } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in vus-and-scenarios.ts:
        - options.vus cannot be combined with options.scenarios: set it inside the scenario instead
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },

  // ── thresholds (exit 104) ──────────────────────────────────────────────────────────────────────
  {
    name: 'threshold: a space inside the number',
    ...file('th-space-number', thresholds(`{ http_req_duration: ['p95<10 0ms'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-space-number.ts:
        - options.thresholds.http_req_duration[0]: invalid threshold "p95<10 0ms": unexpected "0" at column 8, expected the end of the expression
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: empty expression',
    ...file('th-empty', thresholds(`{ http_req_duration: [''] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-empty.ts:
        - options.thresholds.http_req_duration[0]: invalid threshold "": empty expression, expected an aggregation, an operator and a value, e.g. "p(95)<200ms"
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: unknown aggregation',
    ...file('th-aggregation', thresholds(`{ http_req_duration: ['mean<200'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-aggregation.ts:
        - options.thresholds.http_req_duration[0]: invalid threshold "mean<200": unknown aggregation "mean" at column 1, expected an aggregation (avg, min, max, med, count, rate, value, or a percentile such as p95 or p(99.9)); did you mean "avg"?
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: percentile out of range',
    ...file('th-percentile-range', thresholds(`{ http_req_duration: ['p(101)<200'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-percentile-range.ts:
        - options.thresholds.http_req_duration[0]: invalid threshold "p(101)<200": percentile 101 at column 3 is out of range, expected a number from 0 to 100
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: empty percentile',
    ...file('th-percentile-empty', thresholds(`{ http_req_duration: ['p()<200'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-percentile-empty.ts:
        - options.thresholds.http_req_duration[0]: invalid threshold "p()<200": empty percentile "p()" at column 1, expected a number from 0 to 100 between the parentheses, e.g. "p(95)"
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: missing operator',
    ...file('th-no-operator', thresholds(`{ http_req_duration: ['p95 200ms'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-no-operator.ts:
        - options.thresholds.http_req_duration[0]: invalid threshold "p95 200ms": unexpected "200" at column 5, expected an operator (<, <=, >, >=, ==, ===, !=)
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: unknown operator',
    ...file('th-operator', thresholds(`{ http_req_duration: ['p95=<200ms'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-operator.ts:
        - options.thresholds.http_req_duration[0]: invalid threshold "p95=<200ms": unknown operator "=<" at column 4, expected an operator (<, <=, >, >=, ==, ===, !=); did you mean "<="?
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: missing value',
    ...file('th-no-value', thresholds(`{ http_req_duration: ['p95<'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-no-value.ts:
        - options.thresholds.http_req_duration[0]: invalid threshold "p95<": unexpected end of the expression at column 5, expected a number
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: malformed number',
    ...file('th-number', thresholds(`{ http_req_duration: ['p95<.5s'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-number.ts:
        - options.thresholds.http_req_duration[0]: invalid threshold "p95<.5s": malformed number ".5" at column 5, expected a digit before the decimal point; write "0.5"
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: unknown unit',
    ...file('th-unit', thresholds(`{ http_req_duration: ['p95<200msec'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-unit.ts:
        - options.thresholds.http_req_duration[0]: invalid threshold "p95<200msec": unknown unit "msec" at column 8, expected a unit (us, ms, s, m, %, /s, /m, or bytes: B, kB, KB, KiB, MB, MiB, GB, GiB); did you mean "ms"?
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: unit after a space',
    ...file('th-unit-space', thresholds(`{ http_req_duration: ['p95<200 ms'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-unit-space.ts:
        - options.thresholds.http_req_duration[0]: invalid threshold "p95<200 ms": unexpected "ms" at column 9, expected the end of the expression; write the unit right after the number: "200ms"
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: exponent',
    ...file('th-exponent', thresholds(`{ http_reqs: ['rate>1e4/s'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-exponent.ts:
        - options.thresholds.http_reqs[0]: invalid threshold "rate>1e4/s": unknown unit "e4" at column 7, expected a unit (us, ms, s, m, %, /s, /m, or bytes: B, kB, KB, KiB, MB, MiB, GB, GiB); write the number without an exponent
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: a number instead of a string',
    ...file('th-number-type', thresholds(`{ http_req_duration: [200] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-number-type.ts:
        - options.thresholds.http_req_duration[0] must be a string such as 'p95<100ms' or an object { threshold: 'p95<100ms', abortOnFail: true }, received 200
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: object form with a bad abortOnFail and delayAbortEval',
    ...file('th-object', thresholds(`{ http_req_failed: [{ threshold: 'rate<1%', abortOnFail: 'yes', delayAbortEval: 'later' }] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-object.ts:
        - options.thresholds.http_req_failed[0].abortOnFail must be true or false, received "yes"
        - options.thresholds.http_req_failed[0].delayAbortEval must be a non-negative duration such as "500ms", "30s", "1m30s" or "1h", received "later"
      Fix these 2 problems and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: metric key with an unclosed tag filter',
    ...file('th-key-unclosed', thresholds(`{ 'http_req_duration{status:200': ['p95<200'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-key-unclosed.ts:
        - options.thresholds["http_req_duration{status:200"]: invalid metric key "http_req_duration{status:200": missing "}" to close the "{" at column 18
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: tag without a colon',
    ...file('th-key-colon', thresholds(`{ 'http_req_duration{status}': ['p95<200'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-key-colon.ts:
        - options.thresholds["http_req_duration{status}"]: invalid metric key "http_req_duration{status}": missing ":" in tag "status" at column 19, expected name:value
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: unknown metric',
    ...file('th-unknown-metric', thresholds(`{ http_req_duraton: ['p95<200'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-unknown-metric.ts:
        - options.thresholds.http_req_duraton[0]: threshold "p95<200" on "http_req_duraton": unknown metric "http_req_duraton"; did you mean "http_req_duration"? Known metrics: checks, connections_active, connections_failed, connections_opened, data_received, data_sent, dropped_iterations, fault_active, group_duration, http_req_blocked, http_req_connecting, http_req_duration, http_req_failed, http_req_receiving, http_req_sending, http_req_tls_handshaking, http_req_waiting, http_reqs, interrupted_iterations, iteration_duration, iteration_errors, iteration_lag, iterations, mcp_catalogue, mcp_mrtr_rounds, mcp_notifications, mcp_progress_events, mcp_replay_divergence, mcp_req_duration, mcp_req_failed, mcp_req_first_progress, mcp_req_ttfb, mcp_reqs, mcp_server_request_duration, mcp_server_requests, mcp_session_duration, mcp_session_init_duration, mcp_session_reinit, mcp_sessions, mcp_sessions_active, mcp_task_duration, mcprun_event_loop_delay, mcprun_event_loop_utilization, mcprun_heap_per_vu, mcprun_rss_per_vu, recovery_time, vus, vus_max, ws_connecting, ws_errors, ws_msgs_received, ws_msgs_sent, ws_ping, ws_session_duration, ws_sessions
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: aggregation the metric type lacks',
    ...file('th-counter-percentile', thresholds(`{ http_reqs: ['p95<200'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-counter-percentile.ts:
        - options.thresholds.http_reqs[0]: threshold "p95<200" on "http_reqs": "p(95)" does not apply to a Counter, which supports count and rate; write e.g. "count<200"
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: a time unit on a rate',
    ...file('th-rate-time', thresholds(`{ http_req_failed: ['rate<5ms'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-rate-time.ts:
        - options.thresholds.http_req_failed[0]: threshold "rate<5ms" on "http_req_failed": the rate of a Rate takes "%" or a bare fraction (0.05 is 5%), not "ms"; write "rate<5%"
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: a percent on a time trend',
    ...file('th-trend-percent', thresholds(`{ http_req_duration: ['p95<5%'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-trend-percent.ts:
        - options.thresholds.http_req_duration[0]: threshold "p95<5%" on "http_req_duration": the p(95) of a Trend of times takes a time unit (us, ms, s, m) or a bare number of milliseconds, not "%"; write "p(95)<5ms"
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: an object that is not the object form',
    ...file('th-not-list', thresholds(`{ http_req_duration: { p95: '<200' } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-not-list.ts:
        - options.thresholds.http_req_duration[0].p95 is not a threshold field. Write { threshold: 'p95<100ms', abortOnFail: true, delayAbortEval: '10s' }.
        - options.thresholds.http_req_duration[0].threshold is required: write { threshold: 'p95<100ms' } (with abortOnFail and delayAbortEval if needed)
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix these 2 problems and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: a tag filter with an empty value',
    ...file('th-tag-empty', thresholds(`{ 'http_req_duration{status:}': ['p95<200'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-tag-empty.ts:
        - options.thresholds["http_req_duration{status:}"]: invalid metric key "http_req_duration{status:}": empty value for tag "status" at column 26, expected name:value such as {status:…}; a filter with an empty value matches no sample
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: a filter on a scenario that does not exist',
    ...file('th-tag-scenario', thresholds(`{ 'http_req_duration{scenario:nope}': ['p95<200'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-tag-scenario.ts:
        - options.thresholds["http_req_duration{scenario:nope}"]: invalid metric key "http_req_duration{scenario:nope}": no scenario is named "nope" (the value at column 28), so the filter matches no sample; the scenarios are "default"
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: a group filter that is not a group path',
    ...file('th-tag-group', thresholds(`{ 'checks{group:login}': ['rate==1'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-tag-group.ts:
        - options.thresholds["checks{group:login}"]: invalid metric key "checks{group:login}": "login" at column 14 is not a group path (paths start with "::", as in k6), so the filter matches no sample; write {group:::login}
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: an empty list',
    ...file('th-list-empty', thresholds(`{ http_req_duration: [] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-list-empty.ts:
        - options.thresholds.http_req_duration is an empty list, which judges nothing: write at least one threshold, e.g. ['p95<200ms'], or remove the key
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: a rate above 100%',
    ...file('th-rate-above', thresholds(`{ http_req_failed: ['rate<120%'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-rate-above.ts:
        - options.thresholds.http_req_failed[0]: threshold "rate<120%" on "http_req_failed": "120%" at column 6 is outside the range of a rate, which is a fraction from 0% to 100%, so the threshold would hold or fail whatever is measured
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: a negative rate',
    ...file('th-rate-negative', thresholds(`{ http_req_failed: ['rate<-5%'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-rate-negative.ts:
        - options.thresholds.http_req_failed[0]: threshold "rate<-5%" on "http_req_failed": "-5%" at column 6 is outside the range of a rate, which is a fraction from 0% to 100%, so the threshold would hold or fail whatever is measured
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: several problems, one of them scenario-scoped',
    ...file(
      'th-several',
      scenario(`{
  scenarios: { api: { executor: 'shared-iterations', thresholds: { http_req_duration: ['p99<<1s'] } } },
  thresholds: { checks: ['rate>99'], http_req_faild: ['rate<1%'] },
}`),
    ),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-several.ts:
        - options.thresholds.checks[0]: threshold "rate>99" on "checks": "99" at column 6 is outside the range of a rate, which is a fraction from 0% to 100%, so the threshold would hold or fail whatever is measured; did you mean "rate>99%"?
        - options.thresholds.http_req_faild[0]: threshold "rate<1%" on "http_req_faild": unknown metric "http_req_faild"; did you mean "http_req_failed"? Known metrics: checks, connections_active, connections_failed, connections_opened, data_received, data_sent, dropped_iterations, fault_active, group_duration, http_req_blocked, http_req_connecting, http_req_duration, http_req_failed, http_req_receiving, http_req_sending, http_req_tls_handshaking, http_req_waiting, http_reqs, interrupted_iterations, iteration_duration, iteration_errors, iteration_lag, iterations, mcp_catalogue, mcp_mrtr_rounds, mcp_notifications, mcp_progress_events, mcp_replay_divergence, mcp_req_duration, mcp_req_failed, mcp_req_first_progress, mcp_req_ttfb, mcp_reqs, mcp_server_request_duration, mcp_server_requests, mcp_session_duration, mcp_session_init_duration, mcp_session_reinit, mcp_sessions, mcp_sessions_active, mcp_task_duration, mcprun_event_loop_delay, mcprun_event_loop_utilization, mcprun_heap_per_vu, mcprun_rss_per_vu, recovery_time, vus, vus_max, ws_connecting, ws_errors, ws_msgs_received, ws_msgs_sent, ws_ping, ws_session_duration, ws_sessions
        - scenarios.api.thresholds.http_req_duration[0]: invalid threshold "p99<<1s": unknown operator "<<" at column 4, expected an operator (<, <=, >, >=, ==, ===, !=); did you mean "<" or "<="?
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix these 3 problems and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },

  // ── the system under test (exit 104) ─────────────────────────────────────────────────────────
  {
    name: 'sut: a threshold on sut_rss in a run that samples no system under test',
    ...file('sut-none', thresholds(`{ sut_rss: ['max<512MiB'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in sut-none.ts:
        - options.thresholds.sut_rss is a measurement of the system under test, and this run samples none: add options.sut ({ pid }, { pids }, { target } or { prometheus }) or run with --sut-pid PID / --sut-metrics URL.
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: a byte unit on a time trend',
    ...file('th-bytes-on-time', thresholds(`{ http_req_duration: ['p95<2KB'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-bytes-on-time.ts:
        - options.thresholds.http_req_duration[0]: threshold "p95<2KB" on "http_req_duration": the p(95) of a Trend of times takes a time unit (us, ms, s, m) or a bare number of milliseconds, not "KB"; write "p(95)<2ms" (byte units apply to metrics of bytes: data_received, data_sent, mcprun_heap_per_vu, mcprun_rss_per_vu)
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'threshold: a byte unit in the wrong case',
    ...file('th-bytes-case', thresholds(`{ data_sent: ['count<2kb'] }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in th-bytes-case.ts:
        - options.thresholds.data_sent[0]: invalid threshold "count<2kb": unknown unit "kb" at column 8, expected a unit (us, ms, s, m, %, /s, /m, or bytes: B, kB, KB, KiB, MB, MiB, GB, GiB); did you mean "kB"?
      Threshold grammar: aggregation operator value unit, e.g. "p95<100ms", "rate<0.05%", "rate>10000/s".
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'sut: a target in a run without managed targets',
    ...file('sut-target', scenario(`defineScenario({ iterations: 1, sut: { target: 'app' } })`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in sut-target.ts:
        - options.sut.target names "app", but this run has no managed target (a target mcprun starts itself, declared in options.targets with a command). Sample the server by its PID (options.sut.pid or --sut-pid) or its metrics URL (options.sut.prometheus or --sut-metrics) instead.
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'sut: a typo in options.sut, and pid beside pids',
    ...file('sut-shape', scenario(`{ iterations: 1, sut: { pid: 1, pids: [2], prometheus: 'http://127.0.0.1:9464/metrics', seris: [] } }`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in sut-shape.ts:
        - options.sut.seris is not a field of options.sut; did you mean "series"? Fields: pid, pids, target, prometheus, series, allowRemote.
        - options.sut gives pid and pids: name the processes one way (pid: one PID, pids: several, target: a managed target).
      Fix these 2 problems and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  {
    name: 'sut: the PID of an environment variable that is not set',
    ...file('sut-nan', scenario(`defineScenario({ iterations: 1, sut: { pid: Number(process.env.MCPRUN_TEST_UNSET_PID) } })`)),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: options.sut.pid: NaN is not a process ID. Pass the PID of the server as a positive integer, e.g. --sut-pid "$(pgrep -n my-server)". Number() of an environment variable that is not set gives NaN: pass it, e.g. -e SUT_PID="$(pgrep -n my-server)"."
    `),
  },
  { name: '--sut-pid abc', files: { 'ok.ts': OK }, args: ['ok.ts', '--sut-pid', 'abc'], exit: 104, snap: (t) => expect(t).toMatchInlineSnapshot(`
    "exit 104
    mcprun: invalid --sut-pid "abc": expected a process ID (a whole number), e.g. --sut-pid "$(pgrep -n my-server)"."
  `) },
  { name: '--sut-metrics without a scheme', files: { 'ok.ts': OK }, args: ['ok.ts', '--sut-metrics', '127.0.0.1:9464'], exit: 104, snap: (t) => expect(t).toMatchInlineSnapshot(`
    "exit 104
    mcprun: --sut-metrics: "127.0.0.1:9464" is not a URL. Write the full address of the metrics endpoint: http://127.0.0.1:9464/metrics."
  `) },
  { name: '--sut-metrics beyond loopback', files: { 'ok.ts': OK }, args: ['ok.ts', '--sut-metrics', 'http://10.9.8.7:9464/metrics'], exit: 104, snap: (t) => expect(t).toMatchInlineSnapshot(`
    "exit 104
    mcprun: --sut-metrics: 10.9.8.7:9464 is not a loopback address; by default mcprun scrapes only this machine. Scrape the server through 127.0.0.1, [::1] or localhost, or allow other hosts explicitly (allowRemote: true in options.sut)."
  `) },

  // ── CLI flags and -e (exit 104) ───────────────────────────────────────────────────────────────
  { name: '--vu (unknown flag)', files: { 'ok.ts': OK }, args: ['ok.ts', '--vu', '10'], exit: 104, snap: (t) => expect(t).toMatchInlineSnapshot(`
    "exit 104
    mcprun: unknown flag --vu. Run \`mcprun --help\` for the flags; scenario options go in the scenario file or in -e KEY=VALUE."
  `) },
  { name: '--vus abc', files: { 'ok.ts': OK }, args: ['ok.ts', '--vus', 'abc'], exit: 104, snap: (t) => expect(t).toMatchInlineSnapshot(`
    "exit 104
    mcprun: invalid --vus "abc": expected a whole number >= 1, e.g. --vus 10."
  `) },
  {
    name: 'flags before the scenario file',
    files: { 'ok.ts': OK },
    args: ['--vus', 'abc', 'ok.ts'],
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid --vus "abc": expected a whole number >= 1, e.g. --vus 10."
    `),
  },
  { name: '--duration 5x', files: { 'ok.ts': OK }, args: ['ok.ts', '--duration', '5x'], exit: 104, snap: (t) => expect(t).toMatchInlineSnapshot(`
    "exit 104
    mcprun: invalid duration "5x" for --duration: expected a positive duration such as "500ms", "30s", "1m30s" or "1h"."
  `) },
  { name: '--iterations 0', files: { 'ok.ts': OK }, args: ['ok.ts', '--iterations', '0'], exit: 104, snap: (t) => expect(t).toMatchInlineSnapshot(`
    "exit 104
    mcprun: invalid --iterations "0": expected a whole number >= 1, e.g. --iterations 10."
  `) },
  { name: '--workers 0', files: { 'ok.ts': OK }, args: ['ok.ts', '--workers', '0'], exit: 104, snap: (t) => expect(t).toMatchInlineSnapshot(`
    "exit 104
    mcprun: invalid --workers "0": expected a whole number >= 1, e.g. --workers 10."
  `) },
  { name: '--vus twice', files: { 'ok.ts': OK }, args: ['ok.ts', '--vus', '2', '--vus', '3'], exit: 104, snap: (t) => expect(t).toMatchInlineSnapshot(`
    "exit 104
    mcprun: --vus was given 2 times (2, 3); give it once."
  `) },
  {
    name: '--stage without a target',
    files: { 'ok.ts': OK },
    args: ['ok.ts', '--stage', '30s'],
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid --stage "30s": no ":TARGET"; expected DURATION:TARGET, e.g. --stage 30s:100."
    `),
  },
  {
    name: '--stage with a bad duration',
    files: { 'ok.ts': OK },
    args: ['ok.ts', '--stage', '30x:10'],
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid --stage "30x:10": "30x" is not a duration; expected DURATION:TARGET with a non-negative duration such as "500ms", "30s", "1m30s" or "1h", e.g. --stage 30s:10."
    `),
  },
  {
    name: '--stage together with --duration (conflicting flags)',
    files: { 'ok.ts': OK },
    args: ['ok.ts', '--stage', '10s:5', '--duration', '30s'],
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: --stage and --duration cannot be used together: --stage builds a ramping-vus scenario that lasts as long as its stages add up to. Drop --duration, or drop --stage to run constant VUs for a fixed time."
    `),
  },
  {
    name: '--vus alone against named scenarios (conflicting with the file)',
    ...file('named', scenario(`{ scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '1s' } } }`), ['--vus', '5']),
    exit: 104,
    snap: (t) => expect(t).toMatchInlineSnapshot(`
      "exit 104
      mcprun: invalid configuration in named.ts:
        - --vus cannot change named scenarios on its own: add --duration, --iterations or --stage to replace them with one default scenario, or edit vus in the scenario
      Fix it and run again; no load was sent (only the scenario's top-level code ran, to read its options)."
    `),
  },
  { name: '--pool bogus', files: { 'ok.ts': OK }, args: ['ok.ts', '--pool', 'fibers'], exit: 104, snap: (t) => expect(t).toMatchInlineSnapshot(`
    "exit 104
    mcprun: invalid --pool "fibers": expected one of "threads", "processes", e.g. --pool threads."
  `) },
  { name: '--interval 0', files: { 'ok.ts': OK }, args: ['ok.ts', '--interval', '0'], exit: 104, snap: (t) => expect(t).toMatchInlineSnapshot(`
    "exit 104
    mcprun: invalid duration "0" for --interval: expected a positive duration such as "500ms", "30s", "1m30s" or "1h"."
  `) },
  { name: 'no scenario file', args: ['--vus', '2'], exit: 104, snap: (t) => expect(t).toMatchInlineSnapshot(`
    "exit 104
    mcprun: no scenario file given. Run \`mcprun path/to/scenario.ts\`."
  `) },
  { name: '-e without =', files: { 'ok.ts': OK }, args: ['ok.ts', '-e', 'TARGET'], exit: 104, snap: (t) => expect(t).toMatchInlineSnapshot(`
    "exit 104
    mcprun: invalid -e "TARGET": expected KEY=VALUE, e.g. -e TARGET=http://127.0.0.1:8080."
  `) },
  { name: '-e with an empty name', files: { 'ok.ts': OK }, args: ['ok.ts', '-e', '=http://x'], exit: 104, snap: (t) => expect(t).toMatchInlineSnapshot(`
    "exit 104
    mcprun: invalid -e "=http://x": expected KEY=VALUE, e.g. -e TARGET=http://127.0.0.1:8080."
  `) },
];

let dir = '';
const results = new Map<string, CliResult>();

/** Stable text for a snapshot: the exit code and the output, with the temp folder and checkout path replaced. */
function normalize(r: CliResult): string {
  const paths = [dir, realpathSync(dir), ROOT.replace(/\/$/, '')].sort((a, b) => b.length - a.length);
  let text = `exit ${r.code}\n${r.stderr}${r.stdout ? `\n[stdout]\n${r.stdout}` : ''}`;
  for (const p of paths) text = text.split(p).join(`<${p === ROOT.replace(/\/$/, '') ? 'root' : 'tmp'}>`);
  return text.replace(/[ \t]+$/gm, '').trimEnd();
}

async function runAll(limit: number): Promise<void> {
  const queue = [...cases];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      results.set(c.name, await runCli(c.args, { cwd: dir, timeoutMs: 60_000 }));
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcprun-bad-'));
  for (const c of cases) for (const [name, source] of Object.entries(c.files ?? {})) writeFileSync(join(dir, name), source);
  await runAll(4);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('bad input catalogue: exit 104/107, one paragraph with the place and the fix, no stack trace', () => {
  test('the catalogue has at least 40 entries with distinct names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = results.get(c.name)!;
    const text = normalize(r);
    expect(r.code, text).toBe(c.exit);
    expect(r.stdout, 'nothing is run, so nothing is summarised').toBe('');
    expect(r.stderr, 'no stack trace without --verbose').not.toMatch(/\n\s+at .+:\d+:\d+\)?$/m);
    expect(r.stderr.startsWith('mcprun: '), 'one paragraph that starts with "mcprun: "').toBe(true);
    c.snap(text);
  });
});

describe('--verbose', () => {
  test('shows the stack trace that is hidden otherwise', async () => {
    const r = await runCli(['top-level-throw.ts', '--verbose'], { cwd: dir });
    expect(r.code).toBe(107);
    expect(r.stderr).toMatch(/\n\s+at .+:\d+:\d+\)?$/m);
    expect(r.stderr, "the scenario's own error and its frame").toMatch(/Caused by: Error: set TARGET\n\s+at .*top-level-throw\.ts:1:\d+/);
    const quiet = results.get('top-level code throws')!;
    expect(r.stderr.startsWith(quiet.stderr.trimEnd()), 'the same paragraph first, then the stack').toBe(true);
  });

  test('shows a stack for a configuration error too', async () => {
    const r = await runCli(['unknown-executor.ts', '-v'], { cwd: dir });
    expect(r.code).toBe(104);
    expect(r.stderr).toMatch(/McprunError|\n\s+at /);
  });
});
