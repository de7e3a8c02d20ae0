/**
 * What session methods resolve to: the server's `result` object as sent, plus `error` when the
 * request failed at any level. A failed call still has the shape of its method's result (empty
 * `content`/`tools`/... and `isError: true` for tools), so checks and destructuring keep working.
 * (The result types are in types.ts.)
 */
import type { McpError } from './errors.js';
import type { ContentBlock, McpResult } from './types.js';

/** The empty result of a failed request, shaped like its method's result. */
export function failureValue(method: string, error: McpError): McpResult {
  switch (method) {
    case 'tools/call':
      return { content: [], isError: true, error };
    case 'tools/list':
      return { tools: [], error };
    case 'resources/list':
      return { resources: [], error };
    case 'resources/templates/list':
      return { resourceTemplates: [], error };
    case 'resources/read':
      return { contents: [], error };
    case 'prompts/list':
      return { prompts: [], error };
    case 'prompts/get':
      return { messages: [], error };
    default:
      return { error };
  }
}

/** The text a tool put in an `isError` result, for the error message. */
export function toolErrorText(result: Record<string, unknown>): string {
  const content = result.content;
  if (Array.isArray(content)) {
    for (const c of content) if (c && typeof c === 'object' && typeof (c as ContentBlock).text === 'string') return (c as ContentBlock).text!.slice(0, 300);
  }
  return 'the tool returned isError: true';
}

/** `MCP error -32602: ...` as the v1 SDK writes protocol errors into isError results. */
export function toolErrorCode(text: string): number | undefined {
  const m = /^MCP error (-?\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}
