/** `--dns` (k6's flag): the part that applies to mcprun's connections, the address family policy. */
import { McprunError } from '../errors.js';

export const DNS_POLICIES = ['preferIPv4', 'preferIPv6', 'onlyIPv4', 'onlyIPv6', 'any'] as const;

/** k6's --dns, the part that applies to mcprun: `policy=...` (ttl and select are refused with the reason). */
export function parseDnsFlag(v: string): (typeof DNS_POLICIES)[number] {
  let policy: (typeof DNS_POLICIES)[number] | undefined;
  for (const part of v.split(',')) {
    const [k, val] = part.split('=').map((x) => x.trim());
    if (k === 'policy' && (DNS_POLICIES as readonly string[]).includes(val)) policy = val as (typeof DNS_POLICIES)[number];
    else if (k === 'ttl' || k === 'select') {
      throw new McprunError('MCPRUN_CLI', `--dns ${k}=${val ?? ''} is not supported: mcprun resolves a name when it opens a connection (the system resolver, no cache of its own), and connections are kept alive.`, { hint: 'Use --dns policy=onlyIPv4 (or preferIPv4, preferIPv6, onlyIPv6, any).' });
    } else {
      throw new McprunError('MCPRUN_CLI', `invalid --dns ${JSON.stringify(v)}: expected policy=${DNS_POLICIES.join('|')}, e.g. --dns policy=onlyIPv4.`);
    }
  }
  return policy ?? 'any';
}
