/** Real processes for the system-under-test tests: fixture servers in their own processes, client sockets. */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { SutSampler } from '../../runtime/sut/sut-sampler.js';
import type { SutSample, SutWarning } from '../../runtime/sut/types.js';

const FIXTURES = new URL('../fixtures/sut/', import.meta.url);

export interface ServerProcess<Ready> {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly ready: Ready;
  /** SIGTERM (or `signal`), then waits until every process of the tree has gone. */
  close(signal?: NodeJS.Signals): Promise<void>;
}

export async function startFixture<Ready extends object>(file: string, env: Record<string, string> = {}): Promise<ServerProcess<Ready>> {
  const child = fork(fileURLToPath(new URL(file, FIXTURES)), [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [ready] = (await once(child, 'message')) as [Ready];
  const pids = 'pids' in ready ? (ready.pids as number[]) : [child.pid!];
  return {
    child,
    pid: child.pid!,
    ready,
    async close(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill(signal);
        await exited;
      }
      // Children of the fixture exit when their IPC channel to it closes.
      for (let i = 0; i < 100 && pids.some((p) => existsSync(`/proc/${p}`)); i++) await new Promise((r) => setTimeout(r, 20));
    },
  };
}

export interface HoldingReady {
  ports: number[];
  pids: number[];
}

export function holdingServer(env: { HOLD_BYTES?: number; BURN?: number; CHILDREN?: number; HOST?: string; FD_RAMP?: number; WS?: 1 }): Promise<ServerProcess<HoldingReady>> {
  return startFixture('holding-server.mjs', Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])));
}

interface HeldStats {
  connections: number;
  heldBytes: number;
  /** CPU-seconds the root process has used (its own getrusage). */
  cpuSeconds: number;
}

/** Sends the holding server `message` and resolves with its answer. */
async function ask<Answer>(server: ServerProcess<HoldingReady>, message: string): Promise<Answer> {
  const answer = once(server.child, 'message') as Promise<[Answer]>;
  server.child.send(message);
  return (await answer)[0];
}

const statsOf = (server: ServerProcess<HoldingReady>) => ask<HeldStats>(server, 'stats');

/** What the holding server says it holds (the truth the tests compare with). */
export async function heldBy(server: ServerProcess<HoldingReady>): Promise<{ connections: number; heldBytes: number }> {
  const { connections, heldBytes } = await statsOf(server);
  return { connections, heldBytes };
}

/** CPU-seconds the holding server says it has used so far. */
export async function burntBy(server: ServerProcess<HoldingReady>): Promise<number> {
  return (await statsOf(server)).cpuSeconds;
}

/**
 * CPU-seconds per second the holding server (BURN > 0) used between epoch ms `from` and `to`, from
 * its own 50 ms CPU history, interpolated at both ends.
 */
export async function burnRateBetween(server: ServerProcess<HoldingReady>, from: number, to: number): Promise<number> {
  const { history } = await ask<{ history: Array<[number, number]> }>(server, 'cpuHistory');
  const at = (t: number): number => {
    const i = history.findIndex(([time]) => time >= t);
    if (i <= 0) throw new Error(`the server's CPU history (${history[0]?.[0]}..${history.at(-1)?.[0]}) does not cover ${t}`);
    const [[t0, c0], [t1, c1]] = [history[i - 1], history[i]];
    return c0 + ((c1 - c0) * (t - t0)) / Math.max(1, t1 - t0);
  };
  return (at(to) - at(from)) / ((to - from) / 1000);
}

/** Opens `n` connections to 127.0.0.1:port, 200 at a time; resolves when all are established. */
export async function openConnections(port: number, n: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  while (sockets.length < n) {
    const batch = Array.from({ length: Math.min(200, n - sockets.length) }, () => connect(port, '127.0.0.1'));
    await Promise.all(batch.map((s) => once(s, 'connect')));
    sockets.push(...batch);
  }
  return sockets;
}

export async function closeConnections(sockets: Socket[]): Promise<void> {
  await Promise.all(sockets.map((s) => (s.destroyed ? undefined : (s.destroy(), once(s, 'close')))));
}

/** The first sample (from now on) that satisfies `ok`; rejects after `timeoutMs` with the last one seen. */
export function sampleWhere(sampler: SutSampler, ok: (s: SutSample) => boolean, timeoutMs = 8000): Promise<SutSample> {
  return new Promise((resolve, reject) => {
    let last: SutSample | undefined;
    const onSample = (s: SutSample) => {
      last = s;
      if (!ok(s)) return;
      cleanup();
      resolve(s);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no matching sample within ${timeoutMs} ms; last: ${JSON.stringify(last)}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      sampler.off('sample', onSample);
    };
    sampler.on('sample', onSample);
  });
}

export function collectWarnings(sampler: SutSampler): SutWarning[] {
  const out: SutWarning[] = [];
  sampler.on('warning', (w) => out.push(w));
  return out;
}

/** Waits until the holding server has accepted (or let go of) connections down to exactly `n`. */
export async function untilHeld(server: ServerProcess<HoldingReady>, n: number, timeoutMs = 5000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { connections } = await heldBy(server);
    if (connections === n || performance.now() > deadline) return connections;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Has the holding server run `n` short-lived children that burn CPU; resolves with what they said they used. */
export async function runBurners(server: ServerProcess<HoldingReady>, n: number): Promise<number> {
  const answer = once(server.child, 'message') as Promise<[{ childCpuSeconds: number }]>;
  server.child.send({ burners: n });
  return (await answer)[0].childCpuSeconds;
}

/** The points of one metric (untagged) in an `--out json=FILE` time series, in time order. */
export function pointsOf(ndjson: string, metric: string): Array<{ time: number; value: number; count: number }> {
  return ndjson
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string; metric: string; data: { time: string; value: number; count: number; tags: Record<string, string> } })
    .filter((r) => r.type === 'Point' && r.metric === metric && Object.keys(r.data.tags).length === 0)
    .map((r) => ({ time: Date.parse(r.data.time), value: r.data.value, count: r.data.count }));
}

/** GETs `url` every 200 ms until the body satisfies `ok`; resolves with that body, rejects after `timeoutMs`. */
export async function scrapeUntil(url: string, ok: (body: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const { request } = await import('undici');
  const deadline = performance.now() + timeoutMs;
  let last = '';
  while (performance.now() < deadline) {
    try {
      const res = await request(url);
      last = await res.body.text();
      if (ok(last)) return last;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} never answered what was expected within ${timeoutMs} ms; last answer:\n${last}`);
}

/** The value of one sample line of a Prometheus exposition (`name{labels} value`), or undefined. */
export function promValue(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
