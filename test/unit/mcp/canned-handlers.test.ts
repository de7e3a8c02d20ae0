/**
 * mcp.handlers.canned(): the answers load tests get without a model or a user, and the
 * capabilities handlers declare. Pure functions (no network): the servers that ask are exercised
 * in test/e2e/mcp-handlers.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { canned, fillForm } from '../../../runtime/protocols/mcp/canned-handlers.js';
import { capabilitiesWith } from '../../../runtime/protocols/mcp/server-requests.js';

const ctx = { method: 'x', via: 'request' as const, call: undefined, session: { transportKind: 'stdio', era: 'legacy', sessionId: undefined, protocolVersion: '2025-11-25', serverInfo: undefined } };

describe('canned handlers', () => {
  test('the sampling reply waits its latency and says its text', async () => {
    const h = canned({ samplingLatency: '60ms', samplingText: 'fixed', samplingModel: 'm1' });
    const t0 = performance.now();
    const r = await h.sampling!({ messages: [] }, ctx);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(59);
    expect(r).toEqual({ role: 'assistant', content: { type: 'text', text: 'fixed' }, model: 'm1', stopReason: 'endTurn' });
  });

  test('an accepted form is filled from its schema; decline and cancel carry no content', async () => {
    const schema = {
      type: 'object' as const,
      properties: { name: { type: 'string' }, n: { type: 'integer', minimum: 3 }, ok: { type: 'boolean' }, color: { type: 'string', enum: ['red', 'blue'] }, d: { type: 'string', default: 'dflt' }, mail: { type: 'string', format: 'email' } },
    };
    expect(fillForm({ message: 'm', requestedSchema: schema })).toEqual({ name: 'mcprun', n: 3, ok: true, color: 'red', d: 'dflt', mail: 'load@mcprun.invalid' });
    expect(await canned().elicitation!({ message: 'm', requestedSchema: schema }, ctx)).toMatchObject({ action: 'accept', content: { name: 'mcprun' } });
    expect(await canned({ elicitation: 'decline' }).elicitation!({ message: 'm' }, ctx)).toEqual({ action: 'decline' });
    expect(await canned({ elicitation: 'cancel' }).elicitation!({ message: 'm' }, ctx)).toEqual({ action: 'cancel' });
  });

  test('roots, and `without` leaves a handler (and its capability) out', async () => {
    expect(await canned({ roots: [{ uri: 'file:///a' }] }).roots!({}, ctx)).toEqual({ roots: [{ uri: 'file:///a' }] });
    const h = canned({ without: ['roots', 'sampling'] });
    expect(Object.keys(h)).toEqual(['elicitation']);
    expect(capabilitiesWith(undefined, h)).toEqual({ elicitation: { form: {} } });
  });

  test('a capability the user declared wins over the handler default', () => {
    expect(capabilitiesWith({ sampling: { tools: {} }, experimental: {} }, canned())).toEqual({ sampling: { tools: {} }, experimental: {}, elicitation: { form: {} }, roots: {} });
  });

  test('a bad latency is a clear error naming the option', () => {
    expect(() => canned({ samplingLatency: 'soon' })).toThrow(/samplingLatency/);
  });
});
