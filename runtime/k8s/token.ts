/**
 * The per-run token for a coordinator that listens beyond loopback: 32 random bytes, base64url
 * (43 characters, safe in an environment variable and a Secret). Apart from manifests.ts so the
 * renderer stays pure: the caller generates, the renderer only places it in the Secret.
 */
import { randomBytes } from 'node:crypto';

export function generateRunToken(): string {
  return randomBytes(32).toString('base64url');
}
