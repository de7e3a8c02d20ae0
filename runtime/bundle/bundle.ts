/**
 * esbuild turns the scenario and everything it imports (npm packages, `node:` modules, relative
 * files, TypeScript) into one ESM file with an inline source map. `import ... from 'mcprun'`
 * resolves to this installation's own DSL, so the scenario and the runtime share one module
 * instance inside each worker.
 */
import { rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Message } from 'esbuild';
import { McprunError } from '../errors.js';
import { startScenarioBuild, takePrebuilt } from './scenario-build.js';

export interface Bundle {
  /** Absolute path of the bundled ESM file. */
  path: string;
  /** Removes the temporary folder. */
  dispose(): void;
}

export async function bundleScenario(file: string): Promise<Bundle> {
  const abs = resolve(file);
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    throw new McprunError('MCPRUN_SCRIPT_NOT_FOUND', `${file} is a folder, not a scenario file (${abs}).`, {
      hint: 'Give the scenario file inside it: `mcprun path/to/scenario.ts`.',
    });
  }
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new McprunError('MCPRUN_SCRIPT_NOT_FOUND', `scenario file not found: ${file} (looked for ${abs}).`, {
      hint: 'Check the path; run `mcprun path/to/scenario.ts`.',
    });
  }
  const { dir, out, result: pending } = takePrebuilt(abs) ?? startScenarioBuild(abs);
  let result;
  try {
    result = await pending;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const errors = (err as { errors?: Message[] }).errors;
    if (errors?.length) throw compileError(errors);
    throw err;
  }
  // TypeScript rejects an object literal with the same key twice (TS1117); esbuild only warns and
  // keeps the last one, which would silently drop a scenario or a threshold list. An error here.
  const duplicates = result.warnings.filter((w) => w.id === 'duplicate-object-key' && w.location && !/[\\/]node_modules[\\/]/.test(w.location.file));
  if (duplicates.length) {
    rmSync(dir, { recursive: true, force: true });
    throw compileError(duplicates);
  }
  writeFileSync(out, result.outputFiles[0].contents);
  return {
    path: out,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function compileError(errors: Message[]): McprunError {
  const at = (loc: NonNullable<Message['location']>) => `${relative(process.cwd(), resolve(loc.file)) || loc.file}:${loc.line}:${loc.column + 1}`;
  const lines = errors.slice(0, 5).map((e) => {
    const loc = e.location;
    const where = loc ? at(loc) : '(unknown location)';
    let text = `${where}: ${e.text}`;
    if (loc?.lineText) text += `\n    ${loc.lineText}\n    ${' '.repeat(loc.column)}^`;
    const missing = /Could not resolve "([^"]+)"/.exec(e.text);
    if (missing && !missing[1].startsWith('.') && !missing[1].startsWith('/')) {
      text += `\n    Install it in the scenario's project (npm install ${missing[1].split('/').slice(0, missing[1].startsWith('@') ? 2 : 1).join('/')}) or fix the import.`;
    } else if (missing) {
      text += `\n    No file at that path relative to ${loc ? relative(process.cwd(), resolve(loc.file)) || loc.file : 'the scenario'} (with or without .ts, .js or .json, or as a folder with an index file): fix the path.`;
    }
    if (e.id === 'duplicate-object-key') {
      const original = e.notes.find((n) => n.location)?.location;
      text += `\n    The later key silently replaces the earlier one${original ? ` (${at(original)})` : ''}: rename one of them, or merge them into one.`;
    }
    return text;
  });
  const more = errors.length > 5 ? `\n(and ${errors.length - 5} more)` : '';
  return new McprunError('MCPRUN_SCRIPT_COMPILE', `the scenario does not compile:\n${lines.join('\n')}${more}`);
}
