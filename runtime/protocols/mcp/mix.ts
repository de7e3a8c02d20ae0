/**
 * `mcp.mix(session, { weights, exclude, readOnlyOnly, excludeDestructive, args })`: one tool call
 * per call of mix, the tool picked by weight from the session's `tools/list` (read once per
 * session), its arguments given or generated (args.ts). Per-tool metrics are those of any
 * `callTool` (`mcp_req_duration{tool:…}`), so per-tool thresholds work as for hand-written calls.
 *
 * The pick is smooth weighted round-robin (nginx's): over every cycle of sum(weights) calls each
 * tool is called exactly its weight, spread evenly, so 1,200 calls at 5:1 are 1,000 and 200 and
 * not a binomial draw whose ±2.5 % spread would blur what the weights mean. Each session keeps its
 * own rotation, started at a point that depends on the seed and the VU id so VUs do not move in
 * lockstep.
 */
import { usageError } from '../../errors.js';
import { generateArgs, seedOf, type SeedSource } from './args.js';
import type { McpSession, Tool } from './types.js';
import type { MixCall, MixOptions } from './workload-types.js';

interface Rotation {
  tools: Tool[];
  weights: number[];
  current: number[];
  total: number;
}

interface SessionMix {
  tools: Promise<Tool[]>;
  rotations: Map<string, Rotation>;
}

const bySession = new WeakMap<McpSession, SessionMix>();

function isReadOnly(t: Tool): boolean {
  return (t.annotations as { readOnlyHint?: unknown } | undefined)?.readOnlyHint === true;
}

function isDestructive(t: Tool): boolean {
  return (t.annotations as { destructiveHint?: unknown } | undefined)?.destructiveHint === true;
}

/** The tools a mix may call and their weights (pure). */
export function mixCandidates(tools: readonly Tool[], o: MixOptions): Array<[Tool, number]> {
  const weights = o.weights ?? {};
  for (const [k, w] of Object.entries(weights)) {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw usageError(`mcp.mix(): weights[${JSON.stringify(k)}] must be a number >= 0, received ${JSON.stringify(w)}`);
  }
  const rest = weights['*'] ?? 1;
  const exclude = new Set(o.exclude ?? []);
  const out: Array<[Tool, number]> = [];
  for (const t of tools) {
    if (exclude.has(t.name)) continue;
    if (o.readOnlyOnly && !isReadOnly(t)) continue;
    if ((o.excludeDestructive || o.readOnlyOnly) && isDestructive(t)) continue;
    const w = Object.hasOwn(weights, t.name) ? weights[t.name] : rest;
    if (w > 0) out.push([t, w]);
  }
  return out;
}

function rotationKey(o: MixOptions): string {
  return JSON.stringify([o.weights ?? {}, o.exclude ?? [], o.readOnlyOnly ?? false, o.excludeDestructive ?? false, o.seed ?? 0]);
}

function newRotation(candidates: Array<[Tool, number]>, seed: number): Rotation {
  const r: Rotation = { tools: candidates.map(([t]) => t), weights: candidates.map(([, w]) => w), current: candidates.map(() => 0), total: candidates.reduce((a, [, w]) => a + w, 0) };
  // Advance to a seeded point of the cycle (at most one cycle, at most 1,000 steps).
  const skip = seed % Math.min(1000, Math.max(1, Math.round(r.total)));
  for (let i = 0; i < skip; i++) next(r);
  return r;
}

/** Smooth weighted round-robin: add each weight, take the largest, subtract the total from it. */
function next(r: Rotation): Tool {
  let best = 0;
  for (let i = 0; i < r.current.length; i++) {
    r.current[i] += r.weights[i];
    if (r.current[i] > r.current[best]) best = i;
  }
  r.current[best] -= r.total;
  return r.tools[best];
}

async function listOnce(session: McpSession): Promise<SessionMix> {
  let m = bySession.get(session);
  if (!m) {
    const tools = session.listAllTools().then((list) => {
      if (list.error) {
        bySession.delete(session);
        throw usageError(`mcp.mix(): tools/list failed: ${list.error.message}`);
      }
      return [...list];
    });
    bySession.set(session, (m = { tools, rotations: new Map() }));
  }
  return m;
}

async function argsFor(tool: Tool, o: MixOptions, vu: SeedSource | undefined): Promise<Record<string, unknown>> {
  const given = o.args?.[tool.name];
  if (typeof given === 'function') return await given(tool);
  if (given !== undefined) return given;
  return generateArgs(tool, o.argsOptions, vu);
}

export async function mixCall(session: McpSession, options: MixOptions | undefined, vu: SeedSource | undefined): Promise<MixCall> {
  if (!session || typeof (session as McpSession).callTool !== 'function') throw usageError('mcp.mix(): the first argument must be a session from mcp.connect()');
  const o = options ?? {};
  const m = await listOnce(session);
  const tools = await m.tools;
  const key = rotationKey(o);
  let r = m.rotations.get(key);
  if (!r) {
    const candidates = mixCandidates(tools, o);
    if (!candidates.length) {
      throw usageError(`mcp.mix(): no tool to call: the server lists ${tools.length} tools (${tools.slice(0, 8).map((t) => t.name).join(', ')}${tools.length > 8 ? ', …' : ''}) and the weights, exclude and annotation filters leave none`, "Name tools that exist in weights, or give '*' a weight above 0.");
    }
    m.rotations.set(key, (r = newRotation(candidates, seedOf([o.seed ?? 0, vu?.id ?? 0]))));
  }
  const tool = next(r);
  const args = await argsFor(tool, o, vu);
  const result = await session.callTool(tool.name, args);
  return { tool: tool.name, args, result };
}
