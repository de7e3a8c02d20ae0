/**
 * MCP protocol revisions mcprun speaks. Two eras: *legacy* (an `initialize` handshake, optional
 * HTTP session) and *modern* (2026-07-28: no handshake, a `_meta` envelope on every request).
 */

/** Every legacy revision, newest first. */
export const LEGACY_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05', '2024-10-07'] as const;
/** Every modern revision, newest first. */
export const MODERN_VERSIONS = ['2026-07-28'] as const;

export const LATEST_LEGACY_VERSION = LEGACY_VERSIONS[0];
export const LATEST_MODERN_VERSION = MODERN_VERSIONS[0];

export type Era = 'legacy' | 'modern';

/** What `protocolVersion` accepts: a revision, an era (its newest revision), or 'auto' (detect once per target). */
export type ProtocolVersionOption = 'auto' | 'legacy' | 'modern' | (typeof LEGACY_VERSIONS)[number] | (typeof MODERN_VERSIONS)[number] | (string & {});

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
