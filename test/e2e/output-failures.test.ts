/**
 * Outputs fail alone: a full disk under --out stops that output and nothing else; files written at
 * the end are never left truncated under their names; every output path is checked before load.
 * Secret values appear in no output at all. A small tmpfs plays the full disk where the machine
 * lets the test mount one (root); elsewhere those tests say why they skip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serverForTest } from '../support/http-server.js';
import { readSummary } from '../support/summary.js';
import { runCli } from '../support/run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'mcprun-outfail-'));
const dir = (name: string) => {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  return d;
};

/** A 64 KiB tmpfs (and a read-only one), or the reason there is none. */
let full: string | undefined;
let readOnly: string | undefined;
let noMount = '';
beforeAll(() => {
  try {
    full = dir('full');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full], { stdio: 'pipe' });
    readOnly = dir('ro');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', readOnly], { stdio: 'pipe' });
  } catch (err) {
    noMount = `cannot mount a tmpfs here (${String((err as Error).message).split('\n')[0]}); needs root`;
    console.warn(`output-failures: the full-disk and read-only tests skip: ${noMount}`);
    full = readOnly = undefined;
  }
});
afterAll(() => {
  for (const m of [full, readOnly]) if (m) execFileSync('umount', [m], { stdio: 'pipe' });
  rmSync(root, { recursive: true, force: true });
});

const steady = 'test/fixtures/reports/steady.ts';

/** Fills the tmpfs at `d` but `free` bytes (4 KiB pages); returns the filler's path. */
function fillLeaving(d: string, free: number): string {
  for (const f of readdirSync(d)) rmSync(join(d, f), { force: true });
  const filler = join(d, 'filler');
  try {
    writeFileSync(filler, Buffer.alloc(128 * 1024));
  } catch {
    // ENOSPC once it is full: what we wanted.
  }
  if (free) truncateSync(filler, statSync(filler).size - free);
  return filler;
}

describe('a full disk degrades the output, never the run', () => {
  test('--out onto a full tmpfs: the run finishes, the export is complete, exit 110 naming the output', async (ctx) => {
    if (!full) return ctx.skip(noMount);
    const s = await serverForTest();
    const exp = join(dir('full-out'), 'summary.json');
    const out = join(full, 'raw.ndjson');
    // Leave 16 KiB free: the header and the first seconds fit, the rest cannot.
    fillLeaving(full, 16 * 1024);
    const r = await runCli([steady, '-e', `TARGET=${s.url}`, '-e', 'DURATION=3s', '--out', `json=${out},raw`, '--summary-export', exp, '--no-progress']);
    expect(r.code, r.stderr).toBe(110);
    expect(r.stderr).toMatch(/--out json=.*raw\.ndjson,raw \(moved to .*raw\.ndjson\.partial\) could not be written: the disk is full/);
    expect(r.stderr.match(/could not be written/g)).toHaveLength(1);
    const m = readSummary(exp);
    expect(m.mcprun.exitCode).toBe(110);
    expect(m.metrics.http_reqs.values.count).toBe(s.requests.length);
    expect(m.mcprun.warnings.join('\n')).toMatch(/could not be written: the disk is full.*; it is no longer written/);
    expect(existsSync(out), 'no truncated file under the final name').toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(true);
    rmSync(`${out}.partial`);
    rmSync(join(full, 'filler'));
  });

  test('an export that does not fit at the end: exit 110 naming the file, nothing truncated left under its name', async (ctx) => {
    if (!full) return ctx.skip(noMount);
    const s = await serverForTest();
    // Fill the tmpfs: the check before load (an empty probe file) passes, the write at the end cannot.
    const filler = fillLeaving(full, 0);
    const exp = join(full, 'summary.json');
    const junit = join(full, 'junit.xml');
    const r = await runCli([steady, '-e', `TARGET=${s.url}`, '-e', 'DURATION=1s', '--summary-export', exp, '--junit', junit, '--no-progress']);
    rmSync(filler, { force: true });
    expect(r.code, r.stderr).toBe(110);
    expect(r.stderr).toMatch(/could not write --summary-export .*summary\.json: the disk is full/);
    expect(r.stderr).toMatch(/could not write --junit .*junit\.xml: the disk is full/);
    expect(readdirSync(full)).toEqual([]);
    expect(r.stdout).toContain('http_reqs');
  });
});

describe('every output path is checked before load: 104, nothing sent, nothing left behind', () => {
  const cases: Array<[string, () => string[] | undefined, RegExp]> = [
    ['--summary-export under /proc', () => ['--summary-export', '/proc/mcprun-nope/summary.json'], /cannot write --summary-export \/proc\/mcprun-nope\/summary\.json: the folder does not exist and cannot be created there/],
    ['--summary-export onto a folder', () => ['--summary-export', dir('a-folder')], /cannot write --summary-export .*a-folder: it is a folder/],
    ['--summary-export under a file', () => (writeFileSync(join(dir('f'), 'file'), ''), ['--summary-export', join(root, 'f', 'file', 's.json')]), /a part of the path is a file, not a folder/],
    ['--summary-export with a name too long', () => ['--summary-export', join(root, `${'n'.repeat(300)}.json`)], /the name is too long \(a file name may have at most 255 bytes\); shorten it/],
    ['--summary-export on a read-only file system', () => (readOnly ? ['--summary-export', join(readOnly, 's.json')] : undefined), /the file system is read-only/],
    ['--junit onto a folder', () => ['--junit', dir('j-folder')], /cannot write --junit .*j-folder: it is a folder/],
    ['--report-dir under /proc (and no hang)', () => ['--report-dir', '/proc/mcprun-nope'], /cannot create the report folder in --report-dir \/proc\/mcprun-nope: the folder does not exist/],
    ['--out and --summary-export on one file', () => ['--out', `json=${join(root, 'same.json')}`, '--summary-export', join(root, 'same.json')], /--summary-export .*same\.json: --out json=.*same\.json writes the same file/],
    ['--junit and --summary-export on one file', () => ['--summary-export', join(root, 'same2.xml'), '--junit', join(root, 'same2.xml')], /--junit .*same2\.xml: --summary-export .*same2\.xml writes the same file/],
  ];
  test.for(cases)('%s', async ([, args, message], ctx) => {
    const a = args();
    if (!a) return ctx.skip(noMount);
    const s = await serverForTest();
    const before = readdirSync(root).sort();
    const t0 = Date.now();
    const r = await runCli([steady, '-e', `TARGET=${s.url}`, ...a, '--no-progress'], { timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(104);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('No load was sent.');
    expect(s.requests).toHaveLength(0);
    expect(readdirSync(root).sort()).toEqual(before);
  });

  test('--summary-export into missing folders: created, as --out does', async () => {
    const s = await serverForTest();
    const exp = join(root, 'new', 'deeper', 'summary.json');
    const r = await runCli([steady, '-e', `TARGET=${s.url}`, '-e', 'DURATION=1s', '--summary-export', exp, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(readSummary(exp).metrics.http_reqs.values.count).toBe(s.requests.length);
    expect(readdirSync(join(root, 'new', 'deeper'))).toEqual(['summary.json']);
  });
});

describe('secrets', () => {
  const TOKEN = 'tok-5ecr3t-Q9x7';
  const PASS = 'pw-hunter2-Zk';

  /** Every file under `d`, recursively. */
  const filesUnder = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? filesUnder(join(d, f)) : [join(d, f)]));

  test('a secret value in a URL, a check name, an error message and printed text appears nowhere in stdout, stderr or any file', async () => {
    const s = await serverForTest();
    const d = dir('secrets');
    const r = await runCli([
      'test/fixtures/reliability/secrets.ts', '-e', `TARGET=${s.url}`, '-e', `API_TOKEN=${TOKEN}`, '-e', `DB_PASS=${PASS}`,
      '--summary-export', join(d, 'summary.json'), '--out', `json=${join(d, 'raw.ndjson')},raw`, '--out', `csv=${join(d, 'ts.csv')}`,
      '--report-dir', join(d, 'reports'), '--junit', join(d, 'junit.xml'), '--no-progress',
    ]);
    expect(r.code, r.stderr).toBe(0);
    // The server saw the real token: the mask is on the output, not on the load.
    expect(s.requests[0].url).toContain(TOKEN);
    const files = filesUnder(d);
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const [name, text] of [['stdout', r.stdout], ['stderr', r.stderr], ...files.map((f) => [f, readFileSync(f, 'utf8')])]) {
      expect(text, name).not.toContain(TOKEN);
      expect(text, name).not.toContain(PASS);
      expect(text, name).not.toContain(encodeURIComponent(TOKEN));
    }
    expect(r.stderr).toContain('login refused for *** with password ***');
    expect(r.stdout).toContain('the scenario prints *** and ***');
    expect(readFileSync(join(d, 'summary.json'), 'utf8')).toContain('token *** works');
  });
});
