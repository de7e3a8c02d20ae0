/**
 * What every instance of a run must share, hashed: the mcprun version, the scenario bundle (less
 * its source map, which names the folder it was built in) and the scenarios and thresholds as
 * resolved (so a different -e that changes the options is caught too). Compared by the
 * coordinator before any load.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ResolvedConfig } from '../../config/resolve.js';
import { VERSION } from '../../version.js';
import type { Fingerprint } from './protocol.js';

export function fingerprintOf(bundlePath: string, config: ResolvedConfig): Fingerprint {
  const code = readFileSync(bundlePath, 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/s, '');
  const resolved = JSON.stringify({ scenarios: config.scenarios, thresholds: config.thresholds.map((t) => [t.key, t.source, t.abortOnFail]) });
  return { version: VERSION, scenario: createHash('sha256').update(code).update('\0').update(resolved).digest('hex') };
}
