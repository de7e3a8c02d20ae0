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
import { generateArgs } from '../runtime/protocols/mcp/args.js';
import { mixCall } from '../runtime/protocols/mcp/mix.js';
import { replaySession, replayTarget } from '../runtime/protocols/mcp/replay.js';
import type { ArgsOptions, MixCall, MixOptions, ReplayOptions, ReplayReport } from '../runtime/protocols/mcp/workload-types.js';
import type { Tool } from '../runtime/protocols/mcp/types.js';
import { currentVu, tracked, vuStorage } from '../runtime/worker/vu-context.js';

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

  /**
   * An argument object for `tool` (from `tools/list`), generated from its `inputSchema` and
   * validated against it: seeded by `seed`, the VU id and its iteration (reproducible run to run).
   * `overrides` replace generated fields. Rejects with a usage error when no valid object exists.
   */
  args(tool: Tool, options?: ArgsOptions): Promise<Record<string, unknown>> {
    return generateArgs(tool, options, vuStorage.getStore()?.context.vu);
  },

  /**
   * One tool call picked by weight from the session's tools/list: `weights` per tool name, `'*'`
   * for every tool not named (default 1; `'*': 0` calls only the named ones), `exclude`,
   * `readOnlyOnly` / `excludeDestructive` by the tools' annotations; arguments from `args` or
   * generated (mcp.args). Resolves with the tool, its arguments and the result.
   */
  mix(session: McpSession, options?: MixOptions): Promise<MixCall> {
    return mixCall(session, options, vuStorage.getStore()?.context.vu);
  },

  /**
   * Replays a session recorded by `mcprun record` as this VU's workload: a session of its own to
   * the recording's upstream (or `target`), the recorded requests in order at their recorded times
   * divided by `speed`, ids remapped; resolves with the methods sent and every divergence (an
   * answer whose shape or error differs from the recording), also counted in mcp_replay_divergence.
   */
  async replay(file: string, options?: ReplayOptions): Promise<ReplayReport> {
    const ctx = currentVu('mcp.replay()');
    const session = await connect(ctx, replayTarget(file, options), options?.connect);
    try {
      return await replaySession(ctx, session, file, options);
    } finally {
      await session.close();
    }
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
