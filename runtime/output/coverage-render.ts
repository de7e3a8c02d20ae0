/** MCP coverage as the summary and the reports show it: one line per kind, then each item. */
import { coverageLine, type McpCoverage } from './coverage-summary.js';

export interface CoverageRow {
  kind: string;
  name: string;
  calls: string;
  isError: string;
  failed: string;
  note: string;
}

const MAX_ROWS = 200;

export function coverageRows(c: McpCoverage): CoverageRow[] {
  const rows: CoverageRow[] = [];
  for (const [kind, k] of [['tool', c.tools], ['resource', c.resources], ['prompt', c.prompts]] as const) {
    for (const i of k.items) {
      rows.push({ kind, name: i.name, calls: String(i.calls), isError: kind === 'tool' ? String(i.isError) : '-', failed: String(i.failed), note: i.calls === 0 ? 'never called' : i.listed ? '' : 'not listed by the server' });
    }
  }
  return rows.slice(0, MAX_ROWS);
}

export function coverageText(c: McpCoverage, ind: string): string[] {
  const out = [`${ind}${coverageLine(c)}`];
  for (const [key, k] of Object.entries(c) as Array<[string, McpCoverage['tools']]>) {
    if (k.never.length) out.push(`${ind}never called (${key}): ${k.never.slice(0, 30).join(', ')}${k.never.length > 30 ? `, … ${k.never.length - 30} more` : ''}`);
    const erroring = k.items.filter((i) => i.isError || i.failed);
    if (erroring.length) out.push(`${ind}with errors (${key}): ${erroring.slice(0, 20).map((i) => `${i.name} ${i.isError + i.failed}/${i.calls}`).join(', ')}`);
  }
  return out;
}

export { coverageLine };
