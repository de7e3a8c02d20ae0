/**
 * The scenario and everything it imports, type-checked by the TypeScript compiler against this
 * installation's own DSL types (`mcprun check`, `mcprun run --typecheck`, options.typecheck).
 * Bundling only strips types (esbuild, as k6 does); this is the check that catches `res.statusCode`
 * or an un-awaited promise's misuse before any load.
 *
 * `import 'mcprun'` resolves to the running mcprun's dist/dsl/index.d.ts wherever the scenario
 * lives, as bundle.ts resolves it to the running runtime: no `npm install mcprun` next to the file
 * and no `paths` entry are needed. The scenario's own tsconfig.json (the nearest one above it)
 * is used when there is one; otherwise the options `mcprun init` writes (strict, bundler
 * resolution as esbuild resolves). @types/node comes from the scenario's project, else from mcprun.
 *
 * TypeScript is loaded here, on first use (require, not import): `mcprun run` without a type
 * check never parses its 9 MB.
 */
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as TS from 'typescript';
import { McprunError } from '../errors.js';
import { DIST_DIR, PACKAGE_ROOT } from '../paths.js';

export interface TypeProblem {
  /** Relative to the current directory when below it. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** TS2339 and so on. */
  readonly code: string;
  readonly message: string;
}

export interface TypeCheckResult {
  readonly problems: readonly TypeProblem[];
  /** Files the compiler read that are the user's (not .d.ts, not node_modules). */
  readonly files: number;
  /** The tsconfig.json used, if any. */
  readonly tsconfig: string | undefined;
  readonly elapsedMs: number;
}

/** What `import 'mcprun'` and `import 'mcprun/runtime'` mean to the compiler. */
const OWN_TYPES: Readonly<Record<string, string>> = {
  mcprun: join(DIST_DIR, 'dsl', 'index.d.ts'),
  'mcprun/runtime': join(DIST_DIR, 'runtime', 'index.d.ts'),
};

let loaded: typeof TS | undefined;

function typescript(): typeof TS {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('typescript') as typeof TS;
    return loaded;
  } catch (err) {
    throw new McprunError('MCPRUN_CONFIG', `the type check needs the typescript package, which could not be loaded (${(err as Error).message.split('\n')[0]}).`, {
      hint: 'Reinstall mcprun (npm install mcprun installs typescript with it), or run without --typecheck.',
    });
  }
}

/** The options `mcprun init` writes into tsconfig.json, as compiler values. */
function defaultOptions(ts: typeof TS): TS.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    strict: true,
    skipLibCheck: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    allowImportingTsExtensions: true,
    isolatedModules: true,
  };
}

function readOptions(ts: typeof TS, first: string): { options: TS.CompilerOptions; tsconfig: string | undefined; problems: TS.Diagnostic[] } {
  const tsconfig = ts.findConfigFile(dirname(first), (f) => ts.sys.fileExists(f));
  if (!tsconfig) return { options: defaultOptions(ts), tsconfig: undefined, problems: [] };
  const problems: TS.Diagnostic[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => problems.push(d) });
  if (!parsed) return { options: defaultOptions(ts), tsconfig, problems };
  // "No inputs were found" (TS18003) is about `include`: the scenario files are the inputs here.
  problems.push(...parsed.errors.filter((d) => d.code !== 18003));
  return { options: parsed.options, tsconfig, problems };
}

/** A compiler host that resolves `mcprun` to this installation, and @types/node to mcprun's when the project has none. */
function hostFor(ts: typeof TS, options: TS.CompilerOptions, cwd: string): TS.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  host.getCurrentDirectory = () => cwd;
  const cache = ts.createModuleResolutionCache(cwd, (f) => (host.useCaseSensitiveFileNames() ? f : f.toLowerCase()), options);
  host.resolveModuleNames = (names, containingFile, _reused, redirected, opts) =>
    names.map((name) => {
      const own = OWN_TYPES[name];
      if (own) return { resolvedFileName: own, extension: ts.Extension.Dts, isExternalLibraryImport: true };
      return ts.resolveModuleName(name, containingFile, opts, host, cache, redirected).resolvedModule;
    });
  host.resolveTypeReferenceDirectives = (names, containingFile, redirected, opts) =>
    names.map((n) => {
      const name = typeof n === 'string' ? n : n.fileName.toLowerCase();
      const found = ts.resolveTypeReferenceDirective(name, containingFile, opts, host, redirected).resolvedTypeReferenceDirective;
      if (found || name !== 'node') return found;
      return ts.resolveTypeReferenceDirective(name, join(PACKAGE_ROOT, 'package.json'), { ...opts, typeRoots: [join(PACKAGE_ROOT, 'node_modules', '@types')] }, host).resolvedTypeReferenceDirective;
    });
  return host;
}

function problemOf(ts: typeof TS, d: TS.Diagnostic): TypeProblem {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  const code = `TS${d.code}`;
  if (!d.file || d.start === undefined) return { file: '', line: 0, column: 0, code, message };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const rel = relative(process.cwd(), d.file.fileName);
  return { file: rel.startsWith('..') ? d.file.fileName : rel, line: line + 1, column: character + 1, code, message };
}

/**
 * Type-checks `scripts` (one program: files they share are checked once). Errors only: warnings
 * and suggestions are the editor's. Sends nothing, runs none of the scenario's code.
 */
export function typeCheck(scripts: readonly string[]): TypeCheckResult {
  const t0 = performance.now();
  const ts = typescript();
  const roots = scripts.map((s) => resolve(s));
  const { options: given, tsconfig, problems: configProblems } = readOptions(ts, roots[0]);
  // Nothing is written, whatever the project's tsconfig says about output.
  const options: TS.CompilerOptions = { ...given, noEmit: true, composite: false, incremental: false, declaration: false, emitDeclarationOnly: false, tsBuildInfoFile: undefined, allowJs: given.allowJs ?? true };
  const cwd = tsconfig ? dirname(tsconfig) : dirname(roots[0]);
  const program = ts.createProgram({ rootNames: roots, options, host: hostFor(ts, options, cwd) });
  const diagnostics = [...configProblems, ...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()];
  const files = program.getSourceFiles().filter((f) => !f.isDeclarationFile && !/[\\/]node_modules[\\/]/.test(f.fileName)).length;
  const problems = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d) => problemOf(ts, d));
  return { problems, files, tsconfig, elapsedMs: performance.now() - t0 };
}

/** "scenario.ts:12:15: TS2339 Property 'statusCode' does not exist on type 'HttpResponse'." */
export function formatProblem(p: TypeProblem): string {
  const where = p.file ? `${p.file}:${p.line}:${p.column}: ` : '';
  return `${where}${p.code} ${p.message.replace(/\n/g, '\n    ')}`;
}

/** The type check's failure, as `run --typecheck` reports it (exit 107). */
export function typeError(result: TypeCheckResult, script: string): McprunError {
  const shown = result.problems.slice(0, 20).map((p) => `  ${formatProblem(p)}`);
  const more = result.problems.length > 20 ? `\n  (and ${result.problems.length - 20} more)` : '';
  const n = result.problems.length;
  return new McprunError('MCPRUN_SCRIPT_TYPES', `${script} does not type-check (${n} error${n === 1 ? '' : 's'}${result.tsconfig ? `, with ${relative(process.cwd(), result.tsconfig) || result.tsconfig}` : ''}):\n${shown.join('\n')}${more}`, {
    hint: 'Fix them and run again; no load was sent. `mcprun check` lists them without running anything (docs/typescript.md).',
  });
}
