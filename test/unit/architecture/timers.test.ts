/**
 * Node arms a timer of more than 2^31-1 ms for 1 ms (`duration: '600h'` passed after one
 * request), so every timer under runtime/ and dsl/ whose delay is not a bounded constant goes
 * through runtime/timers.ts. This test reads every call of setTimeout/setInterval (and a socket's
 * .setTimeout) with the TypeScript compiler and accepts a raw one only when its delay is bounded:
 * a number, an UPPER_CASE constant, Math.min with such a bound, or a choice between them.
 * The helper itself is tested below against a real clock with a small step.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { TIMER_MAX_MS, chainedTimer, safeInterval, safeTimeout } from '../../../runtime/timers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HELPER = 'runtime/timers.ts';

/** Waits until `cond` holds (a loaded machine fires timers late, never early). */
async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** A delay that cannot exceed a constant the code names. */
function bounded(e: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(e)) return bounded(e.expression);
  if (ts.isNumericLiteral(e)) return true;
  if (ts.isIdentifier(e)) return /^[A-Z][A-Z0-9_]*$/.test(e.text);
  if (ts.isConditionalExpression(e)) return bounded(e.whenTrue) && bounded(e.whenFalse);
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.expression.getText() === 'Math') {
    const fn = e.expression.name.text;
    if (fn === 'min') return e.arguments.some(bounded);
    if (fn === 'max') return e.arguments.every(bounded);
  }
  return false;
}

/** `file:line call` for every raw timer whose delay is not bounded. */
export function unsafeTimers(file: string, text: string): string[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      const delay = ts.isIdentifier(callee) ? node.arguments[1] : ts.isPropertyAccessExpression(callee) && name === 'setTimeout' ? node.arguments[0] : undefined;
      if ((name === 'setTimeout' || name === 'setInterval') && !(delay && bounded(delay))) {
        const line = src.getLineAndCharacterOfPosition(node.getStart(src)).line + 1;
        found.push(`${file}:${line} ${node.getText(src).split('\n')[0].slice(0, 80)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return found;
}

describe('timers', () => {
  test('every timer under runtime/ and dsl/ with a delay from outside goes through runtime/timers.ts', () => {
    const files = [...tsFiles(join(ROOT, 'runtime')), ...tsFiles(join(ROOT, 'dsl'))].filter((f) => relative(ROOT, f) !== HELPER);
    const unsafe = files.flatMap((f) => unsafeTimers(relative(ROOT, f), readFileSync(f, 'utf8')));
    expect(unsafe).toEqual([]);
  });

  test('finds a raw timer with a variable delay, accepts bounded ones', () => {
    const text = [
      'setTimeout(f, ms);',
      'setTimeout(f, 1000);',
      'setInterval(f, EVERY_MS);',
      'setTimeout(f, Math.min(retry, MAX_DELAY_MS));',
      'setInterval(f, tty ? 200 : 1000);',
      'sock.setTimeout(this.connectTimeoutMs, f);',
      'sock.setTimeout(0);',
    ].join('\n');
    expect(unsafeTimers('x.ts', text)).toEqual(['x.ts:1 setTimeout(f, ms)', 'x.ts:6 sock.setTimeout(this.connectTimeoutMs, f)']);
  });

  test('a chained timer fires once after the whole delay, not after its first step', async () => {
    // Ground truth: the clock. 180 ms as steps of at most 50 ms (4 steps of 45 ms).
    const t0 = performance.now();
    const fired: number[] = [];
    chainedTimer(() => fired.push(performance.now() - t0), 180, 50, false);
    await new Promise((r) => setTimeout(r, 100));
    expect(fired, 'not after the first step').toEqual([]);
    await until(() => fired.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(fired.length, 'once').toBe(1);
    expect(fired[0]).toBeGreaterThanOrEqual(175);
  });

  test('refresh() restarts the whole chained delay; clearTimeout stops it', async () => {
    const t0 = performance.now();
    let at = 0;
    const t = chainedTimer(() => (at = performance.now() - t0), 120, 50, false);
    await new Promise((r) => setTimeout(r, 80));
    t.refresh();
    await new Promise((r) => setTimeout(r, 90));
    expect(at, 'refreshed at 80 ms: not due before 200 ms').toBe(0);
    await until(() => at > 0);
    expect(at).toBeGreaterThanOrEqual(195);
    let cleared = false;
    clearTimeout(chainedTimer(() => (cleared = true), 60, 25, false));
    await new Promise((r) => setTimeout(r, 100));
    expect(cleared).toBe(false);
  });

  test('a chained interval repeats at its whole period', async () => {
    const ticks: number[] = [];
    const t0 = performance.now();
    const t = chainedTimer(() => ticks.push(performance.now() - t0), 90, 40, true);
    await until(() => ticks.length >= 3);
    clearInterval(t);
    // Tick i no earlier than its period (i + 1) · 90 ms; none between two periods.
    ticks.forEach((at, i) => expect(at).toBeGreaterThanOrEqual(90 * (i + 1) - 5));
    for (let i = 1; i < ticks.length; i++) expect(ticks[i] - ticks[i - 1]).toBeGreaterThanOrEqual(85);
  });

  test('600 h and 10^6 h through safeTimeout/safeInterval do not fire at once (Node alone fires them after 1 ms)', async () => {
    let fired = 0;
    const warned: string[] = [];
    const onWarning = (w: Error) => warned.push(w.name);
    process.on('warning', onWarning);
    const long = [safeTimeout(() => fired++, 600 * 3_600_000), safeTimeout(() => fired++, 1_000_000 * 3_600_000), safeInterval(() => fired++, 600 * 3_600_000)];
    await new Promise((r) => setTimeout(r, 50));
    process.off('warning', onWarning);
    for (const t of long) clearTimeout(t);
    expect(fired).toBe(0);
    expect(warned).not.toContain('TimeoutOverflowWarning');
    expect(600 * 3_600_000).toBeGreaterThan(TIMER_MAX_MS);
  });
});
