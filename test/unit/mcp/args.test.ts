/**
 * mcp.args() against real servers: every tool of server-everything and of a v1 SDK server with 24
 * generated schemas. Each generated object is checked here with an ajv of the test's own; the
 * server (which validates with its own ajv) is the ground truth that calls succeed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import AjvModule from 'ajv';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { mcp } from '../../../dsl/mcp.js';
import { startEverything, type EverythingServer } from '../../fixtures/mcp/everything.mjs';
import { SCHEMA_TOOLS, startSchemaToolsServer, type SchemaToolsServer } from '../../fixtures/mcp/schema-tools-server.mjs';
import { testVu } from '../../support/test-vu.js';
import type { Tool } from '../../../runtime/protocols/mcp/types.js';

let everything: EverythingServer;
let tools: SchemaToolsServer;

beforeAll(async () => {
  [everything, tools] = await Promise.all([startEverything('streamableHttp'), startSchemaToolsServer()]);
});
afterAll(async () => {
  await Promise.all([everything?.close(), tools?.close()]);
});

// CommonJS packages: their class is the module's default (or the module itself, by interop).
type Compiler = { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
const cjs = <T>(m: unknown): T => ((m as { default?: T }).default ?? m) as T;
const Ajv = cjs<new (o: object) => Compiler>(AjvModule);
const Ajv2020 = cjs<new (o: object) => Compiler>(Ajv2020Module);
const addFormats = cjs<(a: Compiler) => void>(addFormatsModule);

function checker() {
  const a7 = new Ajv({ strict: false });
  const a20 = new Ajv2020({ strict: false });
  addFormats(a7);
  addFormats(a20);
  return (schema: Record<string, unknown>) => (/2020-12/.test(String(schema.$schema ?? '')) ? a20 : a7).compile(schema);
}

/** Tools of server-everything that cannot succeed whatever the arguments (they ask the client back or need a live feature). */
const EVERYTHING_NEEDS_CLIENT = /sampl|elicit|roots|trigger|toggle|subscri|long|simulate|gzip|task/i;

describe('mcp.args', () => {
  test('v1 SDK server, 24 schemas: every object validates, every call succeeds, the same seed gives the same arguments', async () => {
    const vu = testVu('args');
    const check = checker();
    await tools.reset();
    const seen = new Map<string, string>();
    await vu.run(async () => {
      const s = await mcp.connect(tools.url);
      const list = await s.listAllTools();
      expect(list.length).toBe(Object.keys(SCHEMA_TOOLS).length);
      expect(list.length).toBeGreaterThanOrEqual(20);
      for (let iteration = 0; iteration < 5; iteration++) {
        vu.ctx.vu.iteration = iteration;
        for (const tool of list) {
          const args = await mcp.args(tool);
          const v = check(tool.inputSchema!);
          expect(v(args), `${tool.name} ${JSON.stringify(args)} ${JSON.stringify(v.errors)}`).toBe(true);
          const again = await mcp.args(tool);
          expect(again).toEqual(args);
          seen.set(`${tool.name}:${iteration}`, JSON.stringify(args));
          const r = await s.callTool(tool.name, args);
          expect(r.isError, `${tool.name}: ${JSON.stringify(r.content)}`).toBeFalsy();
        }
      }
      await s.close();
    });
    const st = tools.stats();
    expect(st.invalid).toEqual({});
    expect(Object.values(st.calls).reduce((a, b) => a + b, 0)).toBe(5 * Object.keys(SCHEMA_TOOLS).length);
    // Iterations vary the arguments: not every tool gets the same object five times.
    const varied = Object.keys(SCHEMA_TOOLS).filter((n) => new Set([0, 1, 2, 3, 4].map((i) => seen.get(`${n}:${i}`))).size > 1);
    expect(varied.length).toBeGreaterThan(15);
  });

  test('reproducible: another VU and another run get the same object for the same VU id, iteration and seed', async () => {
    const a = testVu('a');
    const b = testVu('b');
    const tool: Tool = { name: 'ref_2020', inputSchema: SCHEMA_TOOLS.ref_2020[0] };
    const x = await a.run(() => mcp.args(tool, { seed: 42 }));
    const y = await b.run(() => mcp.args(tool, { seed: 42 }));
    expect(y).toEqual(x);
    const z = await b.run(() => mcp.args(tool, { seed: 43 }));
    expect(z).not.toEqual(x);
    // Outside a VU, vary does not apply: the seed alone decides.
    expect(await mcp.args(tool, { seed: 7 })).toEqual(await mcp.args(tool, { seed: 7, vary: 'none' }));
  });

  test('overrides replace fields and are validated; a bad override is a usage error that names the field', async () => {
    const tool: Tool = { name: 'nested', inputSchema: SCHEMA_TOOLS.nested[0] };
    const args = await mcp.args(tool, { seed: 1, overrides: { user: { address: { zip: '12345' } } } });
    expect((args.user as any).address.zip).toBe('12345');
    expect(typeof (args.user as any).name).toBe('string');
    await expect(mcp.args(tool, { seed: 1, overrides: { user: { address: { zip: 'nope' } } } })).rejects.toThrow(/mcp\.args\("nested"\): no argument object that validates .*\/user\/address\/zip must match pattern/);
  });

  test('server-everything: every tool gets valid arguments; calls succeed except where the server itself rejects', async () => {
    const vu = testVu('everything');
    const check = checker();
    const outcome: Record<string, string> = {};
    await vu.run(async () => {
      const s = await mcp.connect(everything.url, { timeout: '5s' });
      const list = await s.listAllTools();
      expect(list.length).toBeGreaterThan(8);
      for (const tool of list) {
        const args = await mcp.args(tool, { seed: 3 });
        const v = check(tool.inputSchema!);
        expect(v(args), `${tool.name} ${JSON.stringify(args)} ${JSON.stringify(v.errors)}`).toBe(true);
        expect(await mcp.args(tool, { seed: 3 })).toEqual(args);
        if (EVERYTHING_NEEDS_CLIENT.test(tool.name)) continue;
        const r = await s.callTool(tool.name, args);
        outcome[tool.name] = r.error ? `${r.error.kind}: ${r.error.message}` : 'ok';
      }
      await s.close();
    });
    const failed = Object.entries(outcome).filter(([, o]) => o !== 'ok');
    // No call fails for its arguments: -32602 (invalid params) would say the generator was wrong.
    expect(failed.filter(([, o]) => /-32602|invalid/i.test(o)), JSON.stringify(outcome)).toEqual([]);
    expect(failed, JSON.stringify(outcome)).toEqual([]);
    expect(Object.keys(outcome).length).toBeGreaterThan(5);
  });
});
