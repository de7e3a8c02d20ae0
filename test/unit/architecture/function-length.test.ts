/**
 * Functions short enough to read at once: none under runtime/ or dsl/ is longer than 80 lines.
 * The TypeScript compiler finds every function-like node (declarations, methods, arrows, getters),
 * so a long closure inside a short function counts on its own.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAX_LINES = 80;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** `file:line name (N lines)` for every function longer than `max` lines in `text`. */
export function longFunctions(file: string, text: string, max: number): string[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
      const last = src.getLineAndCharacterOfPosition(node.end).line;
      const lines = last - first + 1;
      const name = node.name && ts.isIdentifier(node.name) ? node.name.text : '(anonymous)';
      if (lines > max) found.push(`${file}:${first + 1} ${name} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return found;
}

describe('function length', () => {
  test(`no function under runtime/ or dsl/ is longer than ${MAX_LINES} lines`, () => {
    const files = [...tsFiles(join(ROOT, 'runtime')), ...tsFiles(join(ROOT, 'dsl'))];
    const long = files.flatMap((f) => longFunctions(relative(ROOT, f), readFileSync(f, 'utf8'), MAX_LINES));
    expect(long).toEqual([]);
  });

  test('finds a long arrow inside a short file', () => {
    const body = Array.from({ length: 85 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const text = `export const f = () => {\n${body}\n};\nexport function g() { return 1; }\n`;
    expect(longFunctions('x.ts', text, MAX_LINES)).toEqual(['x.ts:1 (anonymous) (87 lines)']);
  });
});
