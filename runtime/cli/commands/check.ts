/**
 * `mcprun check <scenario.ts...>`: what `run` would reject, found without sending any load. Each
 * file and everything it imports is type-checked against mcprun's DSL types (one program for all
 * files), then its options are read and resolved exactly as `run` reads them (bundled, top-level
 * code in a worker thread, never in this process; coordinator/load.ts), and the resolved plan is
 * printed. Exit 0 when every file is clean; 104 when a file's configuration is invalid (what `run`
 * would stop at first); 107 for type, syntax and top-level errors.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import yargsParser from 'yargs-parser';
import { typeCheck, formatProblem, type TypeCheckResult, type TypeProblem } from '../../bundle/type-check.js';
import type { RunOptions } from '../../config/run-options.js';
import { planRun } from '../../coordinator/plan.js';
import { releasePrespawned } from '../../coordinator/prespawn.js';
import { StopSignals } from '../../coordinator/stop-signals.js';
import { McprunError } from '../../errors.js';
import { EXIT_CODES } from '../../exit-codes.js';
import { formatMs } from '../../output/format.js';
import { reportError } from '../../output/error-report.js';
import { maskedStream, setSecrets } from '../../output/mask-secrets.js';
import { loadScenario, scriptEnv } from '../../coordinator/load.js';
import type { CliIo, CommandContext } from '../cli-io.js';
import { ALIASES, STRING_FLAGS } from '../flag-table.js';
import { parseRunArgs } from './run.js';
import { describePlan, formatPlan, type PlanDescription } from './check-plan.js';

/** `run`'s flags that change what is checked; the others (outputs, workers) do not apply. */
const CHECK_FLAGS = new Set(['env', 'vus', 'duration', 'iterations', 'stage', 'verbose', 'sut-pid', 'sut-metrics']);

export interface FileReport {
  file: string;
  ok: boolean;
  exitCode: number;
  types: TypeProblem[];
  /** The first problem `run` would stop at (configuration, export, top-level exception), as it words it. */
  error: { code: string; message: string } | null;
  plan: PlanDescription | null;
}

export interface CheckReport {
  ok: boolean;
  exitCode: number;
  typecheck: { files: number; tsconfig: string | null; elapsedMs: number } | null;
  files: FileReport[];
}

interface CheckArgs {
  files: string[];
  json: boolean;
  /** The run flags given, for parseRunArgs. */
  flags: string[];
}

/** Files and --json apart from the run flags; those are validated by run's own parser. */
function splitArgs(args: string[]): CheckArgs {
  const a = yargsParser(args, { string: [...STRING_FLAGS], boolean: ['json', 'help'], alias: ALIASES, configuration: { 'parse-numbers': false } }) as Record<string, unknown> & { _: Array<string | number> };
  const files = a._.map(String);
  const flags: string[] = [];
  for (const [k, v] of Object.entries(a)) {
    if (k === '_' || k === 'json' || k === 'help' || Object.values(ALIASES).includes(k) || /[A-Z]/.test(k)) continue;
    if (!CHECK_FLAGS.has(k)) {
      throw new McprunError('MCPRUN_CLI', `--${k} does not apply to mcprun check (it sends no load and writes no output).`, { hint: 'Flags of check: --json, -e KEY=VALUE, --vus, --duration, --iterations, --stage, --sut-pid, --sut-metrics.' });
    }
    for (const x of Array.isArray(v) ? v : [v]) flags.push(typeof x === 'boolean' ? (x ? `--${k}` : `--no-${k}`) : `--${k}=${String(x)}`);
  }
  if (a.help) files.length = 0;
  return { files, json: Boolean(a.json), flags };
}

export async function checkCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { signal, hardSignal } = ctx;
  let parsed: CheckArgs;
  let opts: RunOptions;
  try {
    parsed = splitArgs(args);
    if (!parsed.files.length) {
      throw new McprunError('MCPRUN_CLI', 'no scenario file given to check.', { hint: 'Run `mcprun check path/to/scenario.ts` (several files may be given).' });
    }
    opts = await parseRunArgs([parsed.files[0], ...parsed.flags]);
  } catch (err) {
    return reportError(err, ctx.io.stderr, false);
  }
  // As run does: secret values of the environment never appear in what check prints.
  setSecrets(scriptEnv(opts.env ?? {}), opts.env ?? {});
  const io: CliIo = { stdout: maskedStream(ctx.io.stdout), stderr: maskedStream(ctx.io.stderr) };
  try {
    const report = await checkFiles(parsed.files, opts, new StopSignals(signal, hardSignal));
    if (parsed.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printReport(report, io);
    return report.exitCode;
  } catch (err) {
    return reportError(err, io.stderr, opts.verbose ?? false);
  } finally {
    releasePrespawned();
  }
}

/** Types for all files at once, then each file's options as run reads them. */
export async function checkFiles(files: string[], opts: RunOptions, stops: StopSignals): Promise<CheckReport> {
  const types: TypeCheckResult = typeCheck(files);
  const reports: FileReport[] = [];
  for (const file of files) reports.push(await checkOne(file, opts, stops, types));
  // A problem nobody's file holds (a tsconfig error, a global one) fails the check as a whole.
  const orphans = types.problems.filter((p) => !reports.some((r) => r.types.includes(p)));
  if (orphans.length && reports.length) {
    reports[0].types.push(...orphans);
    reports[0].ok = false;
    if (reports[0].exitCode === EXIT_CODES.OK) reports[0].exitCode = EXIT_CODES.SCRIPT_ERROR;
  }
  const codes = reports.map((r) => r.exitCode);
  // What run stops at first: the configuration (104) before types (107).
  const exitCode = codes.includes(EXIT_CODES.INVALID_CONFIG) ? EXIT_CODES.INVALID_CONFIG : (codes.find((c) => c !== EXIT_CODES.OK) ?? EXIT_CODES.OK);
  return { ok: exitCode === EXIT_CODES.OK, exitCode, typecheck: { files: types.files, tsconfig: types.tsconfig ?? null, elapsedMs: Math.round(types.elapsedMs) }, files: reports };
}

async function checkOne(file: string, opts: RunOptions, stops: StopSignals, types: TypeCheckResult): Promise<FileReport> {
  const own = types.problems.filter((p) => belongsTo(p, file));
  let error: FileReport['error'] = null;
  let plan: PlanDescription | null = null;
  let exitCode: number = own.length ? EXIT_CODES.SCRIPT_ERROR : EXIT_CODES.OK;
  try {
    const scenario = await loadScenario({ ...opts, script: file }, stops, false);
    scenario.bundle.dispose();
    plan = describePlan(scenario.config, planRun(scenario.config.scenarios, opts.workers, availableParallelism()));
  } catch (err) {
    if (!McprunError.is(err)) throw err;
    error = { code: err.mcprunCode, message: err.userMessage };
    exitCode = err.mcprunCode === 'MCPRUN_SCRIPT_COMPILE' && own.length ? EXIT_CODES.SCRIPT_ERROR : err.exitCode;
  }
  return { file, ok: exitCode === EXIT_CODES.OK, exitCode, types: own, error, plan };
}

/** A problem in the file itself; problems in the files it imports are the first file's (orphans, above). */
function belongsTo(p: TypeProblem, file: string): boolean {
  return p.file !== '' && resolve(p.file) === resolve(file);
}

function printReport(r: CheckReport, io: CliIo): void {
  const out = io.stdout;
  for (const f of r.files) {
    out.write(`${f.ok ? '✓' : '✗'} ${f.file}\n`);
    if (f.types.length) {
      out.write(`  types       ${f.types.length} error${f.types.length === 1 ? '' : 's'}\n`);
      for (const p of f.types) out.write(`    ${formatProblem(p)}\n`);
    } else out.write('  types       ok\n');
    if (f.error) out.write(`  options     ${f.error.message.replace(/\n/g, '\n              ')}\n`);
    if (f.plan) for (const line of formatPlan(f.plan)) out.write(`  ${line}\n`);
  }
  const tc = r.typecheck;
  const summary = r.ok ? 'no problems found' : `problems found (exit code ${r.exitCode})`;
  io.stderr.write(`mcprun check: ${r.files.length} file${r.files.length === 1 ? '' : 's'}, ${summary}${tc ? `; type check of ${tc.files} file${tc.files === 1 ? '' : 's'} in ${formatMs(tc.elapsedMs)}${tc.tsconfig ? ` with ${tc.tsconfig}` : ''}` : ''}; no load was sent.\n`);
}
