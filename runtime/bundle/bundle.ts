/**
 * esbuild turns the scenario and everything it imports (npm packages, `node:` modules, relative
 * files, TypeScript) into one ESM file with an inline source map. `import ... from 'mcprun'`
 * resolves to this installation's own DSL, so the scenario and the runtime share one module
 * instance inside each worker.
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RUNTIME_BUNDLE } from '../paths.js';
import { createRequire } from 'node:module';
import type { Message, Plugin } from 'esbuild';
import { McprunError } from '../errors.js';

export interface Bundle {
  /** Absolute path of the bundled ESM file. */
  path: string;
  /** Removes the temporary folder. */
  dispose(): void;
}

/** `import 'mcprun'` in a scenario is the runtime bundle: the same module instance the worker runs. */
const DSL_ENTRY = RUNTIME_BUNDLE;

export async function bundleScenario(file: string): Promise<Bundle> {
  const abs = resolve(file);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new McprunError('MCPRUN_SCRIPT_NOT_FOUND', `scenario file not found: ${file} (looked for ${abs}).`, {
      hint: 'Check the path; run `mcprun path/to/scenario.ts`.',
    });
  }
  const mcprunPlugin: Plugin = {
    name: 'mcprun-dsl',
    setup(b) {
      b.onResolve({ filter: /^mcprun$/ }, () => ({ path: pathToFileURL(DSL_ENTRY).href, external: true }));
    },
  };
  // The output path is known before the build so the source map's paths resolve to the real files.
  const dir = mkdtempSync(join(tmpdir(), 'mcprun-'));
  const out = join(dir, 'scenario.mjs');
  // require(), not import: Node would lex esbuild's CommonJS source to find its exports at every start.
  const { build } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  let result;
  try {
    result = await build({
      outfile: out,
      entryPoints: [abs],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
      sourcesContent: false,
      logLevel: 'silent',
      plugins: [mcprunPlugin],
      // CommonJS packages bundled into ESM still call require() for Node built-ins.
      banner: { js: "import { createRequire as __mcprunCreateRequire } from 'node:module'; const require = __mcprunCreateRequire(import.meta.url);" },
      absWorkingDir: dirname(abs),
    });
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
