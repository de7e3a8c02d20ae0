/**
 * `mcprun init [dir]`: writes scenario.ts, tsconfig.json and the package.json scripts into `dir`
 * (the current folder by default). Never overwrites a scenario.ts or tsconfig.json that is there
 * (exit 104 naming it) unless --force; a package.json that exists only gets the scripts it lacks.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import yargsParser from 'yargs-parser';
import { McprunError } from '../../errors.js';
import { EXIT_CODES } from '../../exit-codes.js';
import { reportError } from '../../output/error-report.js';
import { DIST_DIR, PACKAGE_ROOT } from '../../paths.js';
import { VERSION } from '../../version.js';
import type { CommandContext } from '../cli-io.js';
import { SCENARIO_TS, SCRIPTS, tsconfigFor } from './init-files.js';

export async function initCommand(args: string[], { io }: CommandContext): Promise<number> {
  try {
    const a = yargsParser(args, { boolean: ['force'] }) as { _: Array<string | number>; force?: boolean } & Record<string, unknown>;
    const unknown = Object.keys(a).filter((k) => k !== '_' && k !== 'force');
    if (unknown.length) throw new McprunError('MCPRUN_CLI', `unknown flag --${unknown[0]} for mcprun init.`, { hint: 'Usage: mcprun init [dir] [--force].' });
    if (a._.length > 1) throw new McprunError('MCPRUN_CLI', `mcprun init takes one folder, received ${a._.length}: ${a._.join(' ')}.`, { hint: 'Usage: mcprun init [dir] [--force].' });
    const dir = resolve(String(a._[0] ?? '.'));
    const written = init(dir, Boolean(a.force));
    for (const w of written) io.stdout.write(`wrote ${relative(process.cwd(), w) || w}\n`);
    io.stdout.write(`\nNext: cd ${relative(process.cwd(), dir) || '.'} && npx mcprun check scenario.ts && npx mcprun run scenario.ts -e TARGET=http://127.0.0.1:8080/\n`);
    return EXIT_CODES.OK;
  } catch (err) {
    return reportError(err, io.stderr, false);
  }
}

/** Writes the files; returns their paths. */
export function init(dir: string, force: boolean): string[] {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new McprunError('MCPRUN_CLI', `${dir} is a file, not a folder.`, { hint: 'Give a folder for mcprun init (it is created when missing).' });
  const scenario = join(dir, 'scenario.ts');
  const tsconfig = join(dir, 'tsconfig.json');
  const there = [scenario, tsconfig].filter((f) => existsSync(f));
  if (there.length && !force) {
    throw new McprunError('MCPRUN_CLI', `mcprun init would overwrite ${there.map((f) => relative(process.cwd(), f) || f).join(' and ')}.`, { hint: 'Choose another folder (mcprun init my-test), or add --force to overwrite.' });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(scenario, SCENARIO_TS);
  writeFileSync(tsconfig, tsconfigFor({ mcprunTypes: ownTypesUnlessResolvable(dir), nodeTypeRoot: nodeTypesUnlessResolvable(dir) }));
  return [scenario, tsconfig, writePackageJson(dir)];
}

function resolvableFrom(dir: string, request: string): boolean {
  try {
    createRequire(join(dir, 'noop.js')).resolve(request);
    return true;
  } catch {
    return false;
  }
}

const rel = (dir: string, to: string) => {
  const r = relative(dir, to).replace(/\\/g, '/');
  return r.startsWith('.') ? r : `./${r}`;
};

function ownTypesUnlessResolvable(dir: string): string | undefined {
  return resolvableFrom(dir, 'mcprun/package.json') ? undefined : rel(dir, join(DIST_DIR, 'dsl', 'index.d.ts'));
}

function nodeTypesUnlessResolvable(dir: string): string | undefined {
  if (resolvableFrom(dir, '@types/node/package.json')) return undefined;
  try {
    return rel(dir, dirname(dirname(createRequire(join(PACKAGE_ROOT, 'package.json')).resolve('@types/node/package.json'))));
  } catch {
    return undefined;
  }
}

function writePackageJson(dir: string): string {
  const file = join(dir, 'package.json');
  let pkg: Record<string, unknown>;
  if (existsSync(file)) {
    try {
      pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new McprunError('MCPRUN_CLI', `${file} is not valid JSON (${(err as Error).message}); mcprun init adds its scripts to it.`, { hint: 'Fix the file, or run mcprun init in another folder.' });
    }
  } else {
    pkg = { name: dir.split(/[\\/]/).pop()?.toLowerCase().replace(/[^a-z0-9-]/g, '-') || 'load-test', private: true, type: 'module', devDependencies: { mcprun: `^${VERSION}` } };
  }
  const scripts = { ...SCRIPTS, ...((pkg.scripts as Record<string, string> | undefined) ?? {}) };
  writeFileSync(file, `${JSON.stringify({ ...pkg, scripts }, null, 2)}\n`);
  return file;
}
