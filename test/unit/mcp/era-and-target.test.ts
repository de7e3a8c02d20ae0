import { describe, expect, test } from 'vitest';
import { McpError } from '../../../runtime/protocols/mcp/errors.js';
import { EraCache, classifyProbe, explicitEra } from '../../../runtime/protocols/mcp/era-detect.js';
import { resolveTarget } from '../../../runtime/protocols/mcp/target.js';

const rpc = (code: number, data?: unknown, status = 400) => new McpError('jsonrpc_error', 'x', code, status, data);

describe('era detection from the server/discover probe', () => {
  test('modern: a discover result naming 2026-07-28, or a modern-only error', () => {
    expect(classifyProbe({ result: { supportedVersions: ['2026-07-28'] } })).toEqual({ era: 'modern', version: '2026-07-28' });
    expect(classifyProbe({ error: rpc(-32022, { supported: ['2026-07-28'], requested: '2027-01-01' }) })).toEqual({ era: 'modern', version: '2026-07-28' });
    expect(classifyProbe({ error: rpc(-32020) })).toEqual({ era: 'modern', version: '2026-07-28' });
    expect(classifyProbe({ error: rpc(-32021) }).era).toBe('modern');
  });

  test('legacy: method not found, "Server not initialized", an unknown discover result, no answer', () => {
    expect(classifyProbe({ error: rpc(-32601, undefined, 200) })).toEqual({ era: 'legacy', version: '2025-11-25' });
    expect(classifyProbe({ error: rpc(-32000) }).era).toBe('legacy');
    expect(classifyProbe({ result: { supportedVersions: ['2099-01-01'] } }).era).toBe('legacy');
    expect(classifyProbe({ error: new McpError('timeout', 'no answer') }).era).toBe('legacy');
    expect(classifyProbe({ error: new McpError('http_error', 'HTTP 400', undefined, 400) })).toEqual({ era: 'legacy', version: '2025-11-25' });
    // -32022 that names only legacy revisions: initialize with the newest of them.
    expect(classifyProbe({ error: rpc(-32022, { supported: ['2025-06-18', '2025-03-26'] }) })).toEqual({ era: 'legacy', version: '2025-06-18' });
  });

  test('POST refused without a JSON-RPC body (404/405): the legacy HTTP+SSE transport', () => {
    expect(classifyProbe({ error: new McpError('http_error', 'HTTP 404', undefined, 404) })).toEqual({ era: 'legacy', version: '2025-11-25', sse: true });
    expect(classifyProbe({ error: new McpError('http_error', 'HTTP 405', undefined, 405) }).sse).toBe(true);
    // A modern server's 404 for an unknown method has a JSON-RPC body: not an SSE endpoint.
    expect(classifyProbe({ error: rpc(-32601, undefined, 404) }).sse).toBeUndefined();
  });

  test('explicit protocolVersion skips the probe', () => {
    expect(explicitEra(undefined)).toBeUndefined();
    expect(explicitEra('auto')).toBeUndefined();
    expect(explicitEra('2025-06-18')).toEqual({ era: 'legacy', version: '2025-06-18' });
    expect(explicitEra('2026-07-28')).toEqual({ era: 'modern', version: '2026-07-28' });
    expect(explicitEra('modern')).toEqual({ era: 'modern', version: '2026-07-28' });
    expect(explicitEra('legacy')).toEqual({ era: 'legacy', version: '2025-11-25' });
  });

  test('the decision is cached per target; concurrent connects share one probe; failures are not cached', async () => {
    let probes = 0;
    const detect = async () => {
      probes++;
      return { era: 'legacy' as const, version: '2025-11-25' };
    };
    const eras = new EraCache();
    const cachedEra: EraCache['get'] = (key, d) => eras.get(key, d);
    const a = cachedEra('unit:a', detect);
    const b = cachedEra('unit:a', detect);
    expect(a.probing).toBe(true);
    expect(b.probing).toBe(false);
    await Promise.all([a.decision, b.decision]);
    expect(probes).toBe(1);
    const failing = cachedEra('unit:b', async () => {
      throw new McpError('transport_error', 'ECONNREFUSED');
    });
    await expect(failing.decision).rejects.toThrow('ECONNREFUSED');
    await new Promise((r) => setImmediate(r));
    expect(cachedEra('unit:b', detect).probing).toBe(true);
  });
});

describe('connect targets', () => {
  test('URLs pick the transport by scheme; objects can force one', () => {
    expect(resolveTarget('http://127.0.0.1:3001/mcp')).toMatchObject({ kind: 'streamable-http', sseFallback: true });
    expect(resolveTarget({ url: 'http://127.0.0.1:3001/sse', transport: 'sse' })).toMatchObject({ kind: 'sse', sseFallback: false });
    expect(resolveTarget('http://127.0.0.1:3001/mcp', 'streamable-http')).toMatchObject({ kind: 'streamable-http', sseFallback: false });
    expect(resolveTarget('ws://127.0.0.1:8080/mcp/ws')).toMatchObject({ kind: 'ws' });
    expect(resolveTarget({ url: 'tcp://127.0.0.1:9000', framing: 'length-prefix' })).toMatchObject({ kind: 'tcp', framing: 'length-prefix' });
    expect(resolveTarget({ command: 'node', args: ['server.js'] })).toMatchObject({ kind: 'stdio', key: '["stdio","node",["server.js"]]' });
  });

  test('mistakes say what was expected', () => {
    expect(() => resolveTarget('ftp://x/y')).toThrow(/unsupported URL scheme "ftp:".*http\(s\):\/\/, ws\(s\):\/\/, tcp:\/\//);
    expect(() => resolveTarget('tcp://127.0.0.1')).toThrow(/has no port; write tcp:\/\/host:port/);
    expect(() => resolveTarget({ url: 'ws://x/y', transport: 'sse' })).toThrow(/transport 'sse' needs a http: or https: URL/);
    expect(() => resolveTarget('not a url')).toThrow(/invalid URL "not a url"/);
    expect(() => resolveTarget({ command: '' })).toThrow(/command must be a non-empty string/);
    expect(() => resolveTarget({ url: 'http://x/', transport: 'carrier-pigeon' as never })).toThrow(/unknown transport "carrier-pigeon"/);
  });
});
