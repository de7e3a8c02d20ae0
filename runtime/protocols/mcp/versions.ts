/**
 * MCP protocol revisions mcprun speaks. Two eras: *legacy* (an `initialize` handshake, optional
 * HTTP session) and *modern* (2026-07-28: no handshake, a `_meta` envelope on every request).
 * Declarations only (they are part of the API, through types.ts); era-detect.ts decides.
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
