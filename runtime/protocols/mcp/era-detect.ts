/**
 * `protocolVersion: 'auto'`: which era a target speaks, decided once per target per worker and
 * cached (concurrent first connects share one probe). The probe is a modern request
 * (`server/discover` with the `_meta` envelope):
 *   - a result listing a modern version we speak, or a 400 carrying a modern-only JSON-RPC error
 *     (-32020, -32021, -32022 with a modern version in `data.supported`) -> modern;
 *   - an HTTP 404/405 without a JSON-RPC body -> the endpoint does not take POSTs: legacy HTTP+SSE;
 *   - anything else (-32601, 400 "Server not initialized", no answer) -> legacy (`initialize`).
 * A transport failure (connection refused) is not cached: the next connect probes again.
 */
import type { McpError } from './errors.js';
import { JSONRPC_ERRORS, MODERN_ERROR_CODES } from './jsonrpc.js';
import { LATEST_LEGACY_VERSION, LATEST_MODERN_VERSION, LEGACY_VERSIONS, MODERN_VERSIONS, type Era, type ProtocolVersionOption } from './versions.js';

const MODERN = new Set<string>(MODERN_VERSIONS);

/** Revisions are dates; anything on or after the first modern one is modern. */
export function eraOf(version: string): Era {
  return MODERN.has(version) || version >= MODERN_VERSIONS[MODERN_VERSIONS.length - 1] ? 'modern' : 'legacy';
}

/** The newest modern revision both sides speak, from a server's `supportedVersions` / `data.supported`. */
export function pickModern(supported: unknown): string | undefined {
  if (!Array.isArray(supported)) return undefined;
  for (const v of MODERN_VERSIONS) if (supported.includes(v)) return v;
  return undefined;
}

export interface EraDecision {
  era: Era;
  /** The version to use: modern, the negotiated one; legacy, the one to ask for in initialize. */
  version: string;
  /** The streamable endpoint refused POST: use the legacy HTTP+SSE transport. */
  sse?: boolean;
  /** Modern: the probe's `server/discover` result (kept on every session of the target). */
  discover?: Record<string, unknown>;
}

/** The probe's outcome: the result, or the error it failed with. */
export interface ProbeOutcome {
  result?: Record<string, unknown>;
  error?: McpError;
}

export function classifyProbe(o: ProbeOutcome): EraDecision {
  const legacy: EraDecision = { era: 'legacy', version: LATEST_LEGACY_VERSION };
  if (o.result) {
    const v = pickModern(o.result.supportedVersions);
    return v ? { era: 'modern', version: v } : legacy;
  }
  const e = o.error;
  if (!e) return legacy;
  if (e.kind === 'jsonrpc_error' && typeof e.code === 'number' && MODERN_ERROR_CODES.has(e.code)) {
    if (e.code === JSONRPC_ERRORS.UNSUPPORTED_PROTOCOL_VERSION) {
      const supported = (e.data as { supported?: unknown } | undefined)?.supported;
      const v = pickModern(supported);
      if (v) return { era: 'modern', version: v };
      // A server that names only legacy versions in a modern error: ask for its newest in initialize.
      if (Array.isArray(supported)) {
        const known = LEGACY_VERSIONS.find((x) => supported.includes(x));
        if (known) return { era: 'legacy', version: known };
      }
      return legacy;
    }
    return { era: 'modern', version: LATEST_MODERN_VERSION };
  }
  if (e.kind === 'http_error' && (e.status === 404 || e.status === 405)) return { ...legacy, sse: true };
  return legacy;
}

/** An explicit `protocolVersion` option decides without a probe; 'auto' (or nothing) returns undefined. */
export function explicitEra(option: ProtocolVersionOption | undefined): EraDecision | undefined {
  if (option === undefined || option === 'auto') return undefined;
  if (option === 'legacy') return { era: 'legacy', version: LATEST_LEGACY_VERSION };
  if (option === 'modern') return { era: 'modern', version: LATEST_MODERN_VERSION };
  return { era: eraOf(option), version: option };
}

/**
 * What each target speaks, as detected by this worker (one per worker, in its protocol services):
 * concurrent first connects share one probe; a probe that fails is forgotten.
 */
export class EraCache {
  readonly #byTarget = new Map<string, Promise<EraDecision>>();

  get(key: string, detect: () => Promise<EraDecision>): { decision: Promise<EraDecision>; probing: boolean } {
    const hit = this.#byTarget.get(key);
    if (hit) return { decision: hit, probing: false };
    const p = detect();
    this.#byTarget.set(key, p);
    p.catch(() => {
      if (this.#byTarget.get(key) === p) this.#byTarget.delete(key);
    });
    return { decision: p, probing: true };
  }

  /** Tests and long soaks: forget what was detected (e.g. the server was upgraded mid-run). */
  clear(): void {
    this.#byTarget.clear();
  }
}
