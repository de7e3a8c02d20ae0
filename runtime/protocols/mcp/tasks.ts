/**
 * Task-augmented tool calls (2025-11-25 tasks): `tools/call` with `params.task` returns a task,
 * which is polled with `tasks/get` (at the server's `pollInterval`) until it is terminal, then its
 * result is fetched with `tasks/result`. Every request is measured as usual; the whole, from the
 * script's ask to the result, is one `mcp_task_duration` sample (tag `tool`, `status`). A task
 * that reports `input_required` is answered through `tasks/result`, which carries the server's
 * requests (answered by the handlers) and then the result.
 */
import { performance } from 'node:perf_hooks';
import { parseDuration } from '../../duration.js';
import { METRIC } from '../../metrics/builtin.js';
import { safeTimeout } from '../../timers.js';
import { McpError } from './errors.js';
import { nameTagValue } from './metrics.js';
import type { VuScope } from '../vu-contract.js';
import type { CallOptions, McpResult, TaskCallOptions, TaskInfo, TaskToolResult } from './types.js';

/** What the helper needs of a session. */
export interface TaskSite {
  readonly ctx: VuScope;
  readonly closed: boolean;
  request<T extends McpResult = McpResult>(method: string, params?: Record<string, unknown>, options?: CallOptions): Promise<T>;
  tags(): Record<string, string>;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => safeTimeout(resolve, ms));
}

function record(site: TaskSite, tool: string, status: string, ms: number): void {
  site.ctx.store.add(METRIC.mcp_task_duration, ms, { ...site.tags(), tool: nameTagValue(site.ctx, tool)!, status });
}

function failed(result: McpResult, err: McpError, extra?: Partial<TaskToolResult>): TaskToolResult {
  return { content: [{ type: 'text', text: err.message }], isError: true, ...result, ...extra, error: err } as TaskToolResult;
}

export async function callToolTask(site: TaskSite, name: string, args: Record<string, unknown> | undefined, o: TaskCallOptions = {}): Promise<TaskToolResult> {
  const t0 = performance.now();
  const ttl = o.ttl === undefined ? undefined : parseDuration(o.ttl, 'callToolTask() option ttl');
  const defaultPoll = o.pollInterval === undefined ? 500 : parseDuration(o.pollInterval, 'callToolTask() option pollInterval');
  const maxMs = o.maxDuration === undefined ? 300_000 : parseDuration(o.maxDuration, 'callToolTask() option maxDuration');
  const { ttl: _t, pollInterval: _p, maxDuration: _m, ...call } = o;
  const params: Record<string, unknown> = { name, task: ttl === undefined ? {} : { ttl } };
  if (args !== undefined) params.arguments = args;
  const created = await site.request<McpResult & { task?: TaskInfo }>('tools/call', params, call);
  if (created.error) return created as unknown as TaskToolResult;
  if (!created.task || typeof created.task.taskId !== 'string') {
    // The server ran the call without a task: its result is the result.
    return created as unknown as TaskToolResult;
  }
  let task: TaskInfo = created.task;
  let polls = 0;
  while (!TERMINAL.has(task.status) && task.status !== 'input_required') {
    if (site.closed || site.ctx.stopped) return failed({}, new McpError('interrupted', 'the VU was stopped'), { task, polls });
    if (performance.now() - t0 > maxMs) {
      record(site, name, 'timeout', performance.now() - t0);
      return failed({}, new McpError('timeout', `task ${task.taskId} of ${name} was still ${task.status} after ${maxMs} ms`, 'ETIMEDOUT'), { task, polls });
    }
    await wait(typeof task.pollInterval === 'number' && task.pollInterval > 0 ? Math.min(task.pollInterval, 60_000) : defaultPoll);
    const got: McpResult & Partial<TaskInfo> = await site.request<McpResult & TaskInfo>('tasks/get', { taskId: task.taskId }, { tags: call.tags });
    polls++;
    if (got.error) return failed(got, got.error, { task, polls });
    task = { ...task, ...got, taskId: task.taskId, status: typeof got.status === 'string' ? got.status : task.status };
  }
  // completed/failed: the stored result; input_required: the server's requests, then the result.
  const result = await site.request<TaskToolResult>('tasks/result', { taskId: task.taskId }, { ...call, timeout: call.timeout ?? maxMs });
  record(site, name, result.error ? 'failed' : task.status === 'input_required' ? 'completed' : task.status, performance.now() - t0);
  result.task = task;
  result.polls = polls;
  return result;
}
