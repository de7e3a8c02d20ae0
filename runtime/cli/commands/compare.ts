/**
 * `mcprun compare BASELINE.json CURRENT.json [--max-regression RULE]... [--json FILE]`: two
 * summary exports, figure by figure (runtime/output/compare/). Exit 0, 99 when a rule is broken,
 * 104 for bad input. Its own small parser: three flags do not need yargs.
 */
import { writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { McprunError } from '../../errors.js';
import { EXIT_CODES } from '../../exit-codes.js';
import { compareSummaries } from '../../output/compare/model.js';
import { compareText } from '../../output/compare/render.js';
import { parseRule } from '../../output/compare/rules.js';
import { checkRulesAgainst, readSummaryFile } from '../../output/compare/summary-file.js';
import { reportError } from '../../output/error-report.js';

export const COMPARE_USAGE = `Usage: mcprun compare BASELINE.json CURRENT.json [--max-regression 'METRIC:STAT:+N%']... [--json FILE]

Compares two --summary-export files per metric and tag. Exit 99 when a --max-regression rule is broken.`;

interface CompareArgs {
  files: string[];
  rules: string[];
  json?: string;
  help: boolean;
}

function parse(argv: string[]): CompareArgs {
  const out: CompareArgs = { files: [], rules: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new McprunError('MCPRUN_CLI', `mcprun compare: ${name} needs a value`, { hint: COMPARE_USAGE });
      return v;
    };
    if (name === '--max-regression') out.rules.push(value());
    else if (name === '--json') out.json = value();
    else if (name === '--help' || name === '-h') out.help = true;
    else if (a.startsWith('-')) throw new McprunError('MCPRUN_CLI', `mcprun compare: unknown flag ${a}`, { hint: COMPARE_USAGE });
    else out.files.push(a);
  }
  return out;
}

export function runCompare(argv: string[], io: { stdout: Writable; stderr: Writable }): number {
  try {
    const args = parse(argv);
    if (args.help) {
      io.stdout.write(`${COMPARE_USAGE}\n`);
      return EXIT_CODES.OK;
    }
    if (args.files.length !== 2) throw new McprunError('MCPRUN_CLI', `mcprun compare: expected two summary files, received ${args.files.length}`, { hint: COMPARE_USAGE });
    const rules = args.rules.map(parseRule);
    const [basePath, currentPath] = args.files;
    const baseline = readSummaryFile(basePath, 'the baseline');
    const current = readSummaryFile(currentPath, 'the run');
    checkRulesAgainst(baseline, rules, basePath);
    const c = compareSummaries(baseline, current, rules, basePath);
    io.stdout.write(compareText(c));
    if (args.json) writeFileSync(args.json, `${JSON.stringify(c, null, 2)}\n`);
    return c.regressions.length ? EXIT_CODES.THRESHOLDS_FAILED : EXIT_CODES.OK;
  } catch (err) {
    return reportError(err, io.stderr, false);
  }
}
