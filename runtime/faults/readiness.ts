/**
 * Is a managed target ready: a TCP connect to its upstream's port succeeds, or, with `ready.url`,
 * an HTTP GET answers with a status below 500. Probed every 100 ms until the target's `ready.timeout`.
 */
import { request } from 'node:http';
import { connect } from 'node:net';

export type Probe = { type: 'tcp'; host: string; port: number } | { type: 'http'; url: string };

const PROBE_TIMEOUT_MS = 1000;

/** One probe: resolves with undefined when ready, else with what it saw (for the error message). */
export function probeOnce(p: Probe): Promise<string | undefined> {
  return p.type === 'tcp' ? tcpProbe(p.host, p.port) : httpProbe(p.url);
}

export function describeProbe(p: Probe): string {
  return p.type === 'tcp' ? `a TCP connection to ${p.host}:${p.port}` : `GET ${p.url} answering below 500`;
}

function tcpProbe(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (seen: string | undefined) => {
      s.destroy();
      resolve(seen);
    };
    s.setTimeout(PROBE_TIMEOUT_MS, () => done('no answer to connect'));
    s.once('connect', () => done(undefined));
    s.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

function httpProbe(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    // Not on a hot path: one request every 100 ms while the target starts, on a fresh connection.
    const req = request(url, { method: 'GET', agent: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status < 500 ? undefined : `status ${status}`);
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error('no answer'), { code: 'timeout' })));
    req.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}
