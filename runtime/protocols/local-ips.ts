/**
 * `--local-ips` (k6's flag): source addresses for new connections, spread round-robin over every
 * connection a worker opens (HTTP, WebSocket and MCP connections' `localAddress`).
 *
 * Syntax: a comma-separated list of addresses and IPv4 ranges, `127.0.0.2-127.0.0.9,127.0.1.1,::1`.
 * Ranges stay compact (start + count) in the plan that crosses to workers, so a /16 costs nothing.
 *
 * Why: binding every connection to one address makes the kernel's ephemeral-port search slow once
 * that address holds thousands of ports; spreading over several addresses (or leaving the choice to
 * the kernel, the default) keeps connecting fast, and each address adds ~28K ports per destination.
 */
import { isIP, createServer } from 'node:net';
import { McprunError } from '../errors.js';

/** An IPv4 range (`v4` start as a 32-bit number) or one address of any family (`addr`). */
export type LocalIpRange = { v4: number; count: number } | { addr: string; count: 1 };

const MAX_ADDRESSES = 1 << 24;
/** Addresses whose string is kept (the usual --local-ips is a few dozen). */
const NAMED_MAX = 4096;

function v4ToInt(s: string): number {
  const p = s.split('.').map(Number);
  return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}

function intToV4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function bad(spec: string, item: string, why: string): McprunError {
  return new McprunError('MCPRUN_CLI', `invalid --local-ips ${JSON.stringify(spec)}: ${JSON.stringify(item)} ${why}.`, {
    hint: 'Give addresses and IPv4 ranges separated by commas, e.g. --local-ips 127.0.0.2-127.0.0.9,127.0.1.1.',
  });
}

/** Parses the flag's value; throws an MCPRUN_CLI error (exit 104) saying which item is wrong. */
export function parseLocalIps(spec: string): LocalIpRange[] {
  const out: LocalIpRange[] = [];
  let total = 0;
  const items = spec.split(',').map((x) => x.trim());
  if (!spec.trim() || items.some((x) => x === '')) throw bad(spec, spec, 'has an empty item');
  for (const item of items) {
    const dash = item.indexOf('-');
    if (dash < 0) {
      const fam = isIP(item);
      if (!fam) throw bad(spec, item, 'is not an IP address');
      out.push(fam === 4 ? { v4: v4ToInt(item), count: 1 } : { addr: item, count: 1 });
      total += 1;
      continue;
    }
    const a = item.slice(0, dash).trim();
    const b = item.slice(dash + 1).trim();
    if (isIP(a) !== 4 || isIP(b) !== 4) throw bad(spec, item, 'is not a range of two IPv4 addresses (IPv6 addresses can only be listed one by one)');
    const lo = v4ToInt(a);
    const hi = v4ToInt(b);
    if (hi < lo) throw bad(spec, item, `ends before it starts (${b} < ${a})`);
    out.push({ v4: lo, count: hi - lo + 1 });
    total += hi - lo + 1;
  }
  if (total > MAX_ADDRESSES) throw bad(spec, spec, `has ${total} addresses; at most ${MAX_ADDRESSES} are supported`);
  return out;
}

export function countLocalIps(ranges: readonly LocalIpRange[]): number {
  let n = 0;
  for (const r of ranges) n += r.count;
  return n;
}

export function localIpAt(ranges: readonly LocalIpRange[], i: number): string {
  for (const r of ranges) {
    if (i < r.count) return 'v4' in r ? intToV4(r.v4 + i) : r.addr;
    i -= r.count;
  }
  throw new McprunError('MCPRUN_INTERNAL', `local IP index ${i} is out of range.`);
}

/**
 * Checks that this machine can use the addresses as sources (bind to the first and last address of
 * every range): a typo such as 172.0.0.2 fails before any load with the system's reason.
 */
export async function checkLocalIps(spec: string, ranges: readonly LocalIpRange[]): Promise<void> {
  const probes = new Set<string>();
  for (const r of ranges) {
    if ('v4' in r) {
      probes.add(intToV4(r.v4));
      probes.add(intToV4(r.v4 + r.count - 1));
    } else probes.add(r.addr);
  }
  for (const addr of probes) {
    const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const srv = createServer();
      srv.once('error', (e: NodeJS.ErrnoException) => resolve(e));
      srv.listen({ host: addr, port: 0, exclusive: true }, () => srv.close(() => resolve(undefined)));
    });
    if (err) throw bad(spec, addr, `cannot be used as a source address on this machine (${err.code ?? err.message})`);
  }
}

/**
 * One worker's round-robin over the source addresses (in its protocol services). `offset`
 * staggers workers so they do not start on the same address.
 */
export class SourceAddresses {
  readonly #ranges: readonly LocalIpRange[];
  readonly #count: number;
  #next: number;

  constructor(list: readonly LocalIpRange[] | undefined, offset = 0) {
    this.#ranges = list ?? [];
    this.#count = countLocalIps(this.#ranges);
    this.#next = this.#count ? offset % this.#count : 0;
  }

  /** The source address for the next new connection, or undefined (the kernel chooses). */
  #names: string[] | undefined;

  next(): string | undefined {
    if (!this.#count) return undefined;
    const i = this.#next;
    this.#next = i + 1 === this.#count ? 0 : i + 1;
    if (i >= NAMED_MAX) return localIpAt(this.#ranges, i);
    // One string per address, not one per connection (a held connection keeps its localAddress).
    const names = (this.#names ??= []);
    return (names[i] ??= localIpAt(this.#ranges, i));
  }
}
