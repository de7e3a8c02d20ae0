/**
 * `mcp` for scenario authors: sessions with MCP servers over streamable HTTP (both protocol eras),
 * legacy HTTP+SSE, stdio, WebSocket and TCP, measured per method and per tool.
 *
 * ```ts
 * const s = (vu.state.mcp ??= await mcp.connect('http://127.0.0.1:3001/mcp'));
 * const r = await s.callTool('echo', { message: 'hi' }, { timeout: '5s' });
 * check(r, { 'not isError': (r) => !r.isError });
 * ```
 * Calls never throw: a failed call resolves with `error` set (and `isError: true` for tools).
 * `mcp.connect()` throws when no session can be opened. The types are in
 * runtime/protocols/mcp/types.ts (exported by dsl/index.ts).
 */
import { canned } from '../runtime/protocols/mcp/canned-handlers.js';
import { connect } from '../runtime/protocols/mcp/connect.js';
import type { CannedHandlerOptions, ClientHandlers } from '../runtime/protocols/mcp/handler-types.js';
import type { ConnectOptions, McpSession, McpTarget } from '../runtime/protocols/mcp/types.js';
import { currentVu, tracked } from '../runtime/worker/vu-context.js';

export const mcp = {
  /**
   * Opens a session: `'http://host:port/mcp'` (streamable HTTP; HTTP+SSE fallback), `{ url, transport: 'sse' }`,
   * `'ws://…'`, `'tcp://host:port'`, or `{ command, args, env }` for stdio.
   * Throws an McpError (`kind`, `code`, `status`) when the session cannot be opened.
   */
  connect(target: McpTarget, options?: ConnectOptions): Promise<McpSession> {
    const ctx = currentVu('mcp.connect()');
    return tracked(ctx, 'mcp.connect()', connect(ctx, target, options));
  },
  handlers: {
    /**
     * Fixed answers for load tests: a sampling reply (after `samplingLatency`), an accepted (or
     * declined) elicitation with its form filled from the schema, a fixed roots list.
     * `mcp.connect(url, { handlers: mcp.handlers.canned({ samplingLatency: '200ms' }) })`
     */
    canned(options?: CannedHandlerOptions): ClientHandlers {
      return canned(options);
    },
  },
};
