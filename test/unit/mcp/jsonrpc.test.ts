import { describe, expect, test } from 'vitest';
import { asJsonRpcError, encodeNotification, encodeRequest, idKey, paramsJson } from '../../../runtime/protocols/mcp/jsonrpc.js';
import { encodeHeaderValue } from '../../../runtime/protocols/mcp/transports/http-common.js';

const ENV = '"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}';

describe('request encoding', () => {
  test('legacy requests: params as given, no _meta', () => {
    expect(encodeRequest(7, 'tools/call', paramsJson({ name: 'echo', arguments: { message: 'hi' } }, undefined, ''))).toBe(
      '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}',
    );
    expect(encodeRequest(1, 'ping', paramsJson(undefined, undefined, ''))).toBe('{"jsonrpc":"2.0","id":1,"method":"ping"}');
    expect(encodeNotification('notifications/initialized')).toBe('{"jsonrpc":"2.0","method":"notifications/initialized"}');
  });

  test('modern requests carry the envelope in params._meta, merged with the progress token and the caller\'s _meta', () => {
    const p = JSON.parse(paramsJson({ name: 'echo', arguments: {}, _meta: { traceparent: 't' } }, 3, ENV));
    expect(p).toEqual({
      name: 'echo',
      arguments: {},
      _meta: { progressToken: 3, traceparent: 't', 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} },
    });
    expect(JSON.parse(paramsJson(undefined, undefined, ENV))).toEqual({ _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } });
    expect(JSON.parse(paramsJson({}, 9, ''))).toEqual({ _meta: { progressToken: 9 } });
  });

  test('response ids echoed as strings still match; others never do', () => {
    expect(idKey(5)).toBe(5);
    expect(idKey('5')).toBe(5);
    expect(idKey('abc')).toBe(-1);
    expect(idKey(null)).toBe(-1);
  });

  test('JSON-RPC error bodies are recognised, other bodies are not', () => {
    expect(asJsonRpcError({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Bad Request: Server not initialized' } })).toEqual({
      id: null,
      error: { code: -32000, message: 'Bad Request: Server not initialized', data: undefined },
    });
    expect(asJsonRpcError({ result: {} })).toBeUndefined();
    expect(asJsonRpcError('Not Found')).toBeUndefined();
  });
});

describe('Mcp-Name header values', () => {
  test('safe ASCII as is; anything else as the base64 sentinel', () => {
    expect(encodeHeaderValue('get-sum')).toBe('get-sum');
    expect(encodeHeaderValue('demo://resource/static/document/a b.md')).toBe('demo://resource/static/document/a b.md');
    expect(encodeHeaderValue('héllo')).toBe(`=?base64?${Buffer.from('héllo').toString('base64')}?=`);
    expect(encodeHeaderValue(' padded')).toMatch(/^=\?base64\?/);
    expect(encodeHeaderValue('line\nbreak')).toMatch(/^=\?base64\?/);
    // A literal value that looks like the sentinel must be encoded too.
    expect(encodeHeaderValue('=?base64?abc?=')).toBe(`=?base64?${Buffer.from('=?base64?abc?=').toString('base64')}?=`);
  });
});
