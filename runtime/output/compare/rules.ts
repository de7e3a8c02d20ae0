/**
 * `--max-regression 'METRIC[{tag:value}]:STAT:±MARGIN'`: how much worse a figure may get against
 * the baseline. `+10%` allows the figure to grow by 10 % (latencies, failure rates), `-10%` to
 * shrink by 10 % (throughput, check pass rates); an absolute margin takes the metric's unit
 * (`+5ms`, `+0.1%` of a rate as a point change is written `+0.001`). Parsed once, before any load.
 */
import { McprunError } from '../../errors.js';
import type { CompareStat, RegressionRule } from './types.js';

const RULE = /^([A-Za-z_][\w.]*(?:\{[^}]*\})?):([a-z]+|p\(?\d+(?:\.\d+)?\)?):([+-])(\d+(?:\.\d+)?)(%|ms|s|us)?$/;
const STATS = new Set(['avg', 'min', 'med', 'max', 'count', 'rate', 'value']);
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, us: 0.001 };

function bad(source: string, why: string): McprunError {
  return new McprunError('MCPRUN_CLI', `--max-regression ${JSON.stringify(source)}: ${why}`, {
    hint: "Write METRIC:STAT:+MARGIN, e.g. 'http_req_duration:p95:+10%', 'mcp_req_duration{tool:search}:p99:+20ms', 'http_reqs:rate:-5%'.",
  });
}

export function parseRule(source: string): RegressionRule {
  const m = RULE.exec(source.replace(/\s+/g, ''));
  if (!m) throw bad(source, 'expected METRIC:STAT:+MARGIN or METRIC:STAT:-MARGIN');
  const [, key, rawStat, sign, num, unit] = m;
  let stat: CompareStat;
  if (rawStat.startsWith('p')) {
    const p = Number(rawStat.replace(/[p()]/g, ''));
    if (!(p > 0 && p <= 100)) throw bad(source, `percentile ${rawStat} is not between 0 and 100`);
    stat = `p(${p})`;
  } else if (STATS.has(rawStat)) stat = rawStat as CompareStat;
  else throw bad(source, `unknown statistic "${rawStat}" (use avg, min, med, max, count, rate, value or pNN)`);
  const n = Number(num);
  const relative = unit === '%';
  const margin = relative ? n / 100 : unit ? n * UNIT_MS[unit] : n;
  return { source, key, stat, direction: sign === '+' ? 1 : -1, margin, relative };
}
