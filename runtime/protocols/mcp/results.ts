/**
 * What session methods resolve to: the server's `result` object as sent, plus `error` when the
 * request failed at any level. A failed call still has the shape of its method's result (empty
 * `content`/`tools`/... and `isError: true` for tools), so checks and destructuring keep working.
 */
import { McpError } from './errors.js';

export interface ContentBlock {
  type: 'text' | 'image' | 'audio' | 'resource_link' | 'resource' | (string & {});
  text?: string;
  data?: string;
  mimeType?: string;
  uri?: string;
  [key: string]: unknown;
}

/** Present on every result when the request failed (HTTP, JSON-RPC, isError, timeout, transport). */
export interface Failure {
  error?: McpError;
}

export interface McpResult extends Failure {
  _meta?: Record<string, unknown>;
  /** Modern era: 'complete' | 'input_required'. */
  resultType?: string;
  [key: string]: unknown;
}

export interface Tool {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ListToolsResult extends McpResult {
  tools: Tool[];
  nextCursor?: string;
}

/** All pages of tools/list; `error` when a page failed (the tools of earlier pages are kept). */
export type ToolList = Tool[] & Failure & { pages: number };

export interface CallToolResult extends McpResult {
  content: ContentBlock[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export interface Resource {
  uri: string;
  name?: string;
  mimeType?: string;
  [key: string]: unknown;
}

export interface ListResourcesResult extends McpResult {
  resources: Resource[];
  nextCursor?: string;
}

export interface ReadResourceResult extends McpResult {
  contents: Array<{ uri: string; mimeType?: string; text?: string; blob?: string; [key: string]: unknown }>;
}

export interface Prompt {
  name: string;
  description?: string;
  arguments?: Array<{ name: string; description?: string; required?: boolean }>;
  [key: string]: unknown;
}

export interface ListPromptsResult extends McpResult {
  prompts: Prompt[];
  nextCursor?: string;
}

export interface GetPromptResult extends McpResult {
  description?: string;
  messages: Array<{ role: string; content: ContentBlock }>;
}

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
