/**
 * `options.tlsAuth` (k6's): client certificates for TLS connections, each for a list of domains
 * (the host name itself or a subdomain of it; no `domains` means every host). The first entry that
 * matches the connection's host is presented in the handshake.
 */
export interface TlsAuthEntry {
  /** PEM (e.g. open('client.pem')). */
  cert: string;
  /** PEM private key. */
  key: string;
  /** The key's passphrase, if it is encrypted. */
  password?: string;
  domains?: string[];
}

export function clientCertFor(entries: readonly TlsAuthEntry[] | undefined): ((hostname: string) => { cert: string; key: string; passphrase?: string } | undefined) | undefined {
  if (!entries?.length) return undefined;
  return (hostname) => {
    const h = hostname.toLowerCase();
    const e = entries.find((x) => !x.domains?.length || x.domains.some((d) => h === d.toLowerCase() || h.endsWith(`.${d.toLowerCase()}`)));
    return e ? { cert: e.cert, key: e.key, ...(e.password !== undefined ? { passphrase: e.password } : {}) } : undefined;
  };
}
