/**
 * `--dns policy=...` (k6's policies) as a `lookup` for net/tls.connect: the system resolver
 * (dns.lookup, as Node's default), with the addresses filtered or ordered by family. undefined for
 * 'any': Node's own lookup, untouched.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';

export type DnsPolicy = 'preferIPv4' | 'preferIPv6' | 'onlyIPv4' | 'onlyIPv6' | 'any';

export function lookupFor(policy: DnsPolicy | undefined): LookupFunction | undefined {
  if (!policy || policy === 'any') return undefined;
  const want = policy.endsWith('IPv4') ? 4 : 6;
  const only = policy.startsWith('only');
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err);
      let list = only ? addresses.filter((a) => a.family === want) : [...addresses].sort((a, b) => (a.family === want ? 0 : 1) - (b.family === want ? 0 : 1));
      if (!list.length) {
        const e = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (no IPv${want} address; --dns policy=${policy})`), { code: 'ENOTFOUND', hostname });
        return callback(e);
      }
      if (!options?.all) list = list.slice(0, 1);
      if (options?.all) callback(null, list);
      else callback(null, list[0].address, list[0].family);
    });
  }) as unknown as LookupFunction;
}
