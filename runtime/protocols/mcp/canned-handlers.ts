/**
 * `mcp.handlers.canned()`: fixed answers to what a server asks the client, for load tests where no
 * model or user is there (a fixed sampling reply after an optional simulated latency, an accepted
 * or declined elicitation whose form is filled from its schema, a fixed roots list).
 */
import { parseDuration } from '../../duration.js';
import { safeTimeout } from '../../timers.js';
import type { CannedHandlerOptions, ClientHandlers, CreateMessageResult, ElicitParams, ElicitResult, Root } from './handler-types.js';

const DEFAULT_ROOTS: Root[] = [{ uri: 'file:///tmp/mcprun', name: 'mcprun' }];

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => safeTimeout(resolve, ms));
}

/** A value of the schema property's type: its default, its first enum value, or a placeholder. */
function valueFor(prop: Record<string, unknown>): string | number | boolean | string[] {
  if (prop.default !== undefined) return prop.default as string | number | boolean | string[];
  if (Array.isArray(prop.enum) && prop.enum.length) return prop.enum[0] as string;
  if (Array.isArray(prop.oneOf) && prop.oneOf.length) return String((prop.oneOf[0] as { const?: unknown }).const ?? 'mcprun');
  switch (prop.type) {
    case 'number':
    case 'integer':
      return typeof prop.minimum === 'number' ? prop.minimum : 1;
    case 'boolean':
      return true;
    case 'array': {
      const items = prop.items as { enum?: unknown[]; anyOf?: Array<{ const?: unknown }> } | undefined;
      const first = items?.enum?.[0] ?? items?.anyOf?.[0]?.const;
      return first === undefined ? [] : [String(first)];
    }
    default:
      if (prop.format === 'email') return 'load@mcprun.invalid';
      if (prop.format === 'date') return '2026-01-01';
      if (prop.format === 'uri') return 'https://mcprun.invalid/';
      return 'mcprun';
  }
}

/** The content of an accepted form: every property of the requested schema filled. */
export function fillForm(params: ElicitParams): Record<string, string | number | boolean | string[]> {
  const out: Record<string, string | number | boolean | string[]> = {};
  const props = params.requestedSchema?.properties ?? {};
  for (const key of Object.keys(props)) out[key] = valueFor(props[key] ?? {});
  return out;
}

export function canned(o: CannedHandlerOptions = {}): ClientHandlers {
  const latencyMs = o.samplingLatency === undefined ? 0 : parseDuration(o.samplingLatency, 'mcp.handlers.canned() option samplingLatency', { allowZero: true });
  const text = o.samplingText ?? 'canned sampling reply from mcprun';
  const model = o.samplingModel ?? 'mcprun-canned';
  const action = o.elicitation ?? 'accept';
  const roots = o.roots ?? DEFAULT_ROOTS;
  const without = new Set(o.without ?? []);
  const handlers: ClientHandlers = {};
  if (!without.has('sampling')) {
    handlers.sampling = async (): Promise<CreateMessageResult> => {
      if (latencyMs > 0) await delay(latencyMs);
      return { role: 'assistant', content: { type: 'text', text }, model, stopReason: 'endTurn' };
    };
  }
  if (!without.has('elicitation')) {
    handlers.elicitation = (params): ElicitResult => {
      if (action !== 'accept') return { action };
      if (params.mode === 'url') return { action: 'accept' };
      return { action: 'accept', content: o.elicitationContent ?? fillForm(params) };
    };
  }
  if (!without.has('roots')) handlers.roots = () => ({ roots });
  return handlers;
}
