/**
 * mcp.mix through the CLI against real servers: server-everything for the 5:1 weights (the
 * summary's per-tool counts), and the v1 SDK schema-tools server, which counts calls per tool
 * itself, for exclusion and the read-only / destructive annotations.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEverything, type EverythingServer } from '../fixtures/mcp/everything.mjs';
import { explain, runScenario } from '../fixtures/mcp/harness.js';
import { SCHEMA_TOOLS, startSchemaToolsServer, type SchemaToolsServer } from '../fixtures/mcp/schema-tools-server.mjs';

let everything: EverythingServer;
let tools: SchemaToolsServer;

beforeAll(async () => {
  [everything, tools] = await Promise.all([startEverything('streamableHttp'), startSchemaToolsServer()]);
});
afterAll(async () => {
  await Promise.all([everything?.close(), tools?.close()]);
});

describe('mcp.mix', () => {
  test("weights 5:1 with '*': 0 against server-everything: within ±5 % of 5:1 over 1,200 calls, no other tool called", async () => {
    const r = await runScenario('test/fixtures/mcp-workloads/mix.ts', { MCP_URL: everything.url, MIX_KIND: 'ratio', VUS: '10', ITERATIONS: '1200' });
    expect(r.code, explain(r)).toBe(0);
    const b = (r.summary as any).mcprun.breakdown;
    const echo = b['mcp_reqs{tool:echo}'].values.count;
    const sum = b['mcp_reqs{tool:get-sum}'].values.count;
    expect(echo + sum).toBe(1200);
    expect(echo / sum).toBeGreaterThanOrEqual(5 * 0.95);
    expect(echo / sum).toBeLessThanOrEqual(5 * 1.05);
    const calledTools = Object.keys(b).filter((k) => k.startsWith('mcp_reqs{tool:'));
    expect(calledTools.sort()).toEqual(['mcp_reqs{tool:echo}', 'mcp_reqs{tool:get-sum}']);
    expect(r.metric('mcp_req_failed')?.values.passes).toBe(0);
  });

  test('readOnlyOnly and exclude: destructive, non-read-only and excluded tools are never called (the server counts)', async () => {
    await tools.reset();
    const r = await runScenario('test/fixtures/mcp-workloads/mix.ts', { MCP_URL: tools.url, MIX_KIND: 'safe', EXCLUDE: 'echo_text,ratio', VUS: '4', ITERATIONS: '400' });
    expect(r.code, explain(r)).toBe(0);
    const st = tools.stats();
    const readOnly = Object.entries(SCHEMA_TOOLS).filter(([, [, a]]) => a.readOnlyHint === true).map(([n]) => n);
    const allowed = readOnly.filter((n) => n !== 'echo_text' && n !== 'ratio');
    expect(Object.keys(st.calls).sort()).toEqual([...allowed].sort());
    for (const n of ['delete_all', 'drop_table', 'toggle', 'nested', 'echo_text', 'ratio']) expect(st.calls[n]).toBeUndefined();
    expect(Object.values(st.calls).reduce((a, b) => a + b, 0)).toBe(400);
    // Generated arguments: the server rejected none.
    expect(st.invalid).toEqual({});
  });
});

describe('MCP coverage', () => {
  test('called tools, resources and prompts with counts and isError results, and what was never exercised: summary, JSON, report.md, report.html', async () => {
    const { mkdtempSync, readdirSync, readFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'mcprun-coverage-'));
    try {
      const r = await runScenario('test/fixtures/mcp-workloads/coverage.ts', { MCP_URL: everything.url }, ['--report-dir', dir]);
      expect([0, 99], explain(r)).toContain(r.code);
      const cov = (r.summary as any).mcprun.coverage;
      const tool = (n: string) => cov.tools.items.find((i: any) => i.name === n);
      expect(tool('echo')).toMatchObject({ calls: 3, isError: 0, failed: 0, listed: true });
      const sum = tool('get-sum');
      expect(sum.calls).toBe(2);
      // The server refuses the arguments: as an isError result or a JSON-RPC error, both counted.
      expect(sum.isError + sum.failed).toBe(2);
      expect(cov.tools.listed).toBeGreaterThan(8);
      expect(cov.tools.called).toBe(2);
      expect(cov.tools.never.length).toBe(cov.tools.listed - 2);
      expect(cov.tools.never).not.toContain('echo');
      expect(cov.resources.called).toBe(1);
      expect(cov.resources.listed).toBeGreaterThan(1);
      expect(cov.prompts.called).toBe(1);
      expect(cov.prompts.never.length).toBe(cov.prompts.listed - 1);
      expect(r.stdout).toMatch(/MCP COVERAGE/);
      expect(r.stdout).toMatch(new RegExp(`tools 2 of ${cov.tools.listed} called \\(${cov.tools.listed - 2} never\\)`));
      expect(r.stdout).toMatch(/never called \(tools\): /);
      const [sub] = readdirSync(dir);
      const md = readFileSync(join(dir, sub, 'report.md'), 'utf8');
      expect(md).toMatch(/## MCP coverage/);
      expect(md).toMatch(/\| tool \| `echo` \| 3 \| 0 \| 0 \|/);
      expect(md).toMatch(/never called/);
      const html = readFileSync(join(dir, sub, 'report.html'), 'utf8');
      expect(html).toMatch(/<section id="mcp-coverage">/);
      expect(html).toMatch(/<code>get-sum<\/code><\/td><td class="n">2<\/td>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
