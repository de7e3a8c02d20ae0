/**
 * Data for scenarios, as k6 users write it: `open(path, 'b'?)`, `sharedData(name, fn)` and a CSV
 * parser. The bundle runs from a temporary folder, so relative paths resolve against the scenario
 * file (named by the bundle's banner, bundle/scenario-build.ts), not the bundle or the working
 * directory: `mcprun tests/load.ts` and `cd tests && mcprun load.ts` read the same files.
 *
 * CSV parsing is csv-parse's (RFC 4180 quoting, embedded newlines, BOMs), loaded on first use.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { usageError } from '../errors.js';

const SCENARIO_FILE = Symbol.for('mcprun.scenarioFile');

/** The folder relative data paths start from: the scenario file's, else the working directory. */
export function scenarioDir(): string {
  const file = (globalThis as Record<symbol, unknown>)[SCENARIO_FILE];
  return typeof file === 'string' ? dirname(file) : process.cwd();
}

export function resolveDataPath(path: string): string {
  return isAbsolute(path) ? path : resolve(scenarioDir(), path);
}

/** k6's open(): a file's text (UTF-8), or with 'b' its bytes as an ArrayBuffer. */
export function open(path: string, mode?: 'b' | 'r'): string | ArrayBuffer {
  if (typeof path !== 'string' || !path) throw usageError(`open(): the path must be a non-empty string, received ${JSON.stringify(path)}`);
  if (mode !== undefined && mode !== 'b' && mode !== 'r') throw usageError(`open(${JSON.stringify(path)}, ${JSON.stringify(mode)}): the mode is 'b' (binary, an ArrayBuffer) or omitted (text)`);
  const abs = resolveDataPath(path);
  let buf: Buffer;
  try {
    buf = readFileSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(`open(${JSON.stringify(path)}): cannot read ${abs} (${code ?? (err as Error).message}); relative paths start from the scenario's folder ${scenarioDir()}`);
  }
  if (mode === 'b') return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return buf.toString('utf8');
}

const shared = new Map<string, unknown>();

/**
 * k6's SharedArray, for any value: `fn` runs once per worker (the first call with this name) and
 * its result is deep-frozen and shared by every VU of the worker, so a 100 MB data set is held once
 * per worker, not once per VU, and no VU can change what the others read.
 */
export function sharedData<T>(name: string, fn: () => T): T {
  if (typeof name !== 'string' || !name) throw usageError('sharedData(name, fn): the name must be a non-empty string');
  if (shared.has(name)) return shared.get(name) as T;
  if (typeof fn !== 'function') throw usageError(`sharedData(${JSON.stringify(name)}, fn): fn must be a function returning the data`);
  const value = fn();
  if (value && typeof (value as { then?: unknown }).then === 'function') {
    throw usageError(`sharedData(${JSON.stringify(name)}, fn): fn returned a promise; build the data synchronously (open(), parseCsv(), JSON.parse())`);
  }
  deepFreeze(value);
  shared.set(name, value);
  return value;
}

function deepFreeze(v: unknown): void {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v) || ArrayBuffer.isView(v)) return;
  Object.freeze(v);
  for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
}

export interface CsvOptions {
  /** First row names the columns: rows are objects (default). false: rows are arrays of strings. */
  header?: boolean;
  /** @default ',' */
  delimiter?: string;
  /** Skip empty lines. @default true */
  skipEmptyLines?: boolean;
}

type CsvParse = (input: string, options: Record<string, unknown>) => unknown[];
let csvParse: CsvParse | undefined;

/** CSV text (e.g. open('users.csv')) to rows: objects keyed by the header row, or arrays with header: false. */
export function parseCsv<T = Record<string, string>>(text: string, options: CsvOptions = {}): T[] {
  if (typeof text !== 'string') throw usageError('parseCsv(text): pass the CSV as a string, e.g. parseCsv(open("users.csv"))');
  csvParse ??= (createRequire(import.meta.url)('csv-parse/sync') as { parse: CsvParse }).parse;
  try {
    return csvParse(text, { columns: options.header !== false, delimiter: options.delimiter ?? ',', skip_empty_lines: options.skipEmptyLines !== false, bom: true, trim: false }) as T[];
  } catch (err) {
    throw usageError(`parseCsv(): ${(err as Error).message}`);
  }
}
