/**
 * The CLI parses common command lines without loading yargs (start-up time); whatever it accepts
 * must mean exactly what yargs makes of it, and anything unusual must go to yargs.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { sniffCommand, sniffRunsThreads, sniffScript, sniffWorkers } from '../../../runtime/cli/argv-sniff.js';
import { fastParse, yargsParse } from '../../../runtime/cli/parse.js';
import { toRunOptions } from '../../../runtime/cli/run-options.js';

const ACCEPTED: string[][] = [
  ['s.ts'],
  ['s.ts', '--vus', '5', '--duration', '10s'],
  ['--vus=5', 's.ts', '-d', '2s'],
  ['s.ts', '-e', 'A=1', '-e', 'B=x=y', '--env', 'C='],
  ['s.ts', '--stage', '1s:5', '-s', '2s:0'],
  ['s.ts', '-q', '--no-progress', '--no-color', '--verbose'],
  ['s.ts', '-qv'],
  ['s.ts', '--color'],
  ['s.ts', '--workers', '2', '--pool', 'processes', '--local-ips', '127.0.0.2-127.0.0.9'],
  ['s.ts', '--summary-export', 'out.json', '--out', 'json=a.ndjson', '-o', 'csv=b.csv', '--junit', 'j.xml'],
  ['s.ts', '--report-dir', 'r', '--metrics-addr', '127.0.0.1:9000', '--interval', '2s', '--continue-on-worker-error'],
  ['s.ts', '-i', '100', '-w', '1'],
];

const REJECTED: string[][] = [
  [],
  ['--help'],
  ['--version'],
  ['-V'],
  ['s.ts', 'extra.ts'],
  ['s.ts', '--vus'],
  ['s.ts', '--report-dir'],
  ['s.ts', '--bogus'],
  ['s.ts', '-x'],
  ['s.ts', '--pool', 'fibers'],
  ['s.ts', '--a.b', '1'],
  ['--vus', '2'],
];

describe('the fast CLI parser', () => {
  test.each(ACCEPTED)('accepts %j and means what yargs means', async (...argv) => {
    const fast = fastParse(argv);
    expect(fast).toBeDefined();
    const slow = await yargsParse(argv);
    // yargs adds aliases and camelCase copies; the flags themselves must agree.
    const pick = (a: object | undefined) =>
      Object.fromEntries(Object.entries(a ?? {}).filter(([k, v]) => (k === 'script' || /^[a-z]+(-[a-z]+)*$/.test(k)) && k.length > 1 && v !== undefined && k !== 'help' && k !== 'version'));
    expect(pick(fast)).toEqual(pick(slow));
  });

  test.each(REJECTED)('leaves %j to yargs', (...argv) => {
    expect(fastParse(argv)).toBeUndefined();
  });

  test('random command lines: the fast parser accepts or defers, never disagrees (property)', async () => {
    const token = fc.constantFrom('s.ts', 'x.ts', '--vus', '3', '-e', 'K=V', '--no-progress', '-q', '--duration', '1s', '--pool', 'threads', 'processes', '--stage', '1s:2', '--bogus', '-v', '--workers', '2', '--', '=', '');
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 8 }), async (argv) => {
        const fast = fastParse(argv);
        if (!fast) return;
        // Accepted: the run options (or our own error about them) are the same as through yargs.
        const outcome = async (get: () => Promise<ReturnType<typeof fastParse>>) => {
          try {
            const parsed = await get();
            return parsed ? toRunOptions(parsed) : 'yargs found nothing to run';
          } catch (err) {
            return (err as Error).message;
          }
        };
        const viaYargs = await outcome(() => yargsParse(argv));
        const viaFast = await outcome(async () => fast);
        expect(viaFast).toEqual(viaYargs);
        // What dist/cli.mjs guessed to start bundling early is the file the run uses (a bare word
        // first is a command's name: `mcprun processes` is an unknown command, not a scenario).
        const command = sniffCommand(argv);
        expect(sniffScript(argv)).toBe(command !== undefined && command !== 'run' ? undefined : fast.script);
      }),
      { numRuns: 150 },
    );
  });
});

describe('what dist/cli.mjs reads before the CLI loads', () => {
  test.each(ACCEPTED)('the scenario path of %j', (...argv) => {
    expect(sniffScript(argv)).toBe(fastParse(argv)!.script);
  });

  test('the scenario path after run, after flags with values, after --', () => {
    expect(sniffScript(['run', '-e', 'A=1', 'a.ts'])).toBe('a.ts');
    expect(sniffScript(['-qe', 'A=1', 'b.ts'])).toBe('b.ts');
    expect(sniffScript(['--vus=2', '--', 'c.ts'])).toBe('c.ts');
    expect(sniffScript(['--vus', '2'])).toBeUndefined();
  });

  test('commands: check bundles its first file early; init and others bundle nothing and start no thread', () => {
    expect(sniffScript(['check', 'a.ts', 'b.ts', '--json'])).toBe('a.ts');
    expect(sniffScript(['check', '-e', 'A=1', 'a.ts'])).toBe('a.ts');
    expect(sniffScript(['init', 'dir'])).toBeUndefined();
    expect(sniffScript(['inspect', 's.ts'])).toBeUndefined();
    expect(sniffRunsThreads(['init', 'dir'])).toBe(false);
    expect(sniffRunsThreads(['check', 'a.ts'])).toBe(true);
    expect(sniffRunsThreads(['a.ts'])).toBe(true);
  });

  test('the worker count, when it is a plain number', () => {
    expect(sniffWorkers(['s.ts', '--workers', '3'])).toBe(3);
    expect(sniffWorkers(['-w', '2', 's.ts'])).toBe(2);
    expect(sniffWorkers(['--workers=4', 's.ts'])).toBe(4);
    expect(sniffWorkers(['s.ts', '--workers', 'x'])).toBeUndefined();
    expect(sniffWorkers(['s.ts'])).toBeUndefined();
  });
});
