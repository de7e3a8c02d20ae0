/**
 * The coordinator's side of a run over many instances: it listens on --coordinator HOST:PORT,
 * admits the N-1 other instances (same mcprun version, same scenario, their own index once, the
 * same instance count, the run's token), then gives each its share of the global workers and
 * stands their workers into the coordinator's own WorkerPool as remote workers. From there the
 * run is the single-instance run: the same phases, merge, thresholds and exit code; what reaches a
 * remote worker goes over the instance's connection and what it answers comes back the same way.
 * A connection that closes, or stays silent past SILENCE_LIMIT_MS, makes its workers exit: the
 * loss watch ends the run with 106 and a partial summary, as for a local worker that dies.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { McprunError, deserializeError } from '../../errors.js';
import { safeTimeout } from '../../timers.js';
import type { PoolWorker, WorkerPool } from '../worker-pool.js';
import type { StopSignals } from '../stop-signals.js';
import { GATHER_TIMEOUT_MS, HEARTBEAT_MS, SILENCE_LIMIT_MS, START_LEAD_MS, type Fingerprint, type HubMessage, type InstanceMessage } from './protocol.js';
import type { InstanceRole } from './role.js';
import { DeferredStarts } from './deferred-starts.js';
import { instanceShare } from './shares.js';
import { Wire } from './wire.js';

const HELLO_TIMEOUT_MS = 10_000;

type InstanceWire = Wire<InstanceMessage, HubMessage>;

interface Member {
  readonly index: number;
  readonly wire: InstanceWire;
  readonly address: string;
  lastSeen: number;
  ended: boolean;
  /** Its clock relative to the coordinator's (coordinator minus instance), from the probe with the shortest round trip. */
  offsetMs: number;
  /** Its workers in the pool, once adopted: told of the loss. */
  readonly feeds: Map<number, { exited: (code: number, error?: Error) => void; done: boolean }>;
}

export class InstanceHub {
  readonly #members = new Map<number, Member>();
  #server: Server | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #stopRequests = new Set<(hard: boolean) => void>();
  #refusal: ((err: Error) => void) | undefined;

  constructor(
    readonly role: InstanceRole,
    readonly fingerprint: Fingerprint,
    readonly stderr: NodeJS.WritableStream,
  ) {}

  /** Listens and resolves once every other instance is admitted; 104 for a mismatch, the timeout or a busy address. */
  async gather(stops: StopSignals, timeoutMs = GATHER_TIMEOUT_MS): Promise<void> {
    const server = createServer((socket) => this.#accept(socket));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new McprunError('MCPRUN_CONFIG', `--coordinator ${this.#where()} cannot be listened on: ${err.message}.`, { hint: 'Give a free port, on an address of this machine (the pod).' })));
      server.listen(this.role.port, this.role.host, () => resolve());
    });
    this.stderr.write(`mcprun: instance 0 of ${this.role.instances} (coordinator) listens on ${this.#where()}; waiting for ${this.role.instances - 1} more.\n`);
    // From the first instance on, also while the others are awaited: a joined instance must not take the wait for silence.
    this.#heartbeat = setInterval(() => this.#beat(), HEARTBEAT_MS);
    if (this.role.instances === 1) return;
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        clearTimeout(timer);
        offStop();
        reject(err);
      };
      this.#refusal = fail;
      this.#admitted = () => {
        clearTimeout(timer);
        offStop();
        resolve();
      };
      const timer = safeTimeout(() => fail(this.#missing(timeoutMs)), timeoutMs);
      const offStop = stops.onStop(() => fail(new McprunError('MCPRUN_STOPPED', 'stopped while waiting for the other instances')));
    });
  }

  #admitted: () => void = () => {};
  /** The shares are handed out: nobody joins any more. */
  #started = false;

  #where(): string {
    return `${this.role.host.includes(':') ? `[${this.role.host}]` : this.role.host}:${this.role.port}`;
  }

  #missing(timeoutMs: number): McprunError {
    const missing = Array.from({ length: this.role.instances - 1 }, (_, i) => i + 1).filter((i) => !this.#members.has(i));
    return new McprunError('MCPRUN_CONFIG', `instance${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${this.role.instances} did not connect to ${this.#where()} within ${Math.round(timeoutMs / 1000)}s; no load was sent.`, {
      hint: 'Start every instance with the same --instances and --coordinator and its own --instance (or JOB_COMPLETION_INDEX); check that they can reach this address.',
    });
  }

  #accept(socket: Socket): void {
    const wire: InstanceWire = new Wire(socket);
    const address = `${socket.remoteAddress}:${socket.remotePort}`;
    const hello = safeTimeout(() => wire.destroy('no hello'), HELLO_TIMEOUT_MS);
    const off = wire.onMessage((m) => {
      off();
      clearTimeout(hello);
      if (!isHello(m)) return wire.destroy('not a hello');
      if (this.#started) {
        // A pod that comes back (a retry, a replacement) would replay its share from t=0: it is turned away, the run goes on.
        this.stderr.write(`mcprun: instance ${m.index} connected from ${address} after the run had started; it was turned away.\n`);
        return wire.end({ type: 'refused', message: `instance ${m.index} connected to the coordinator at ${this.#where()} after the run had started: a share is never run twice.` });
      }
      const problem = this.#admit(m);
      if (problem === 'token') {
        this.stderr.write(`mcprun: a connection from ${address} was refused: it did not give the run's token (MCPRUN_TOKEN).\n`);
        return wire.end({ type: 'refused', message: `instance ${m.index} was refused by the coordinator at ${this.#where()}: MCPRUN_TOKEN is missing or is not the run's token.` });
      }
      if (problem) return this.#refuseRun(problem, wire);
      wire.send({ type: 'welcome' });
      wire.upgrade();
      const member: Member = { index: m.index, wire, address, lastSeen: Date.now(), ended: false, offsetMs: 0, feeds: new Map() };
      this.#members.set(m.index, member);
      void probeClock(wire).then((offsetMs) => {
        member.offsetMs = offsetMs;
        if (!wire.closed) this.#join(member);
      });
    });
    wire.onClose(() => clearTimeout(hello));
  }

  /** Why this hello cannot join the run: 'token', a message that refuses the whole run, or undefined. */
  #admit(m: Extract<InstanceMessage, { type: 'hello' }>): string | undefined {
    const { role, fingerprint } = this;
    if (role.token !== null && !sameToken(role.token, m.token)) return 'token';
    if (m.fingerprint.version !== fingerprint.version) return `instance ${m.index} runs mcprun ${m.fingerprint.version}, the coordinator ${fingerprint.version}: every instance must run the same version`;
    if (m.instances !== role.instances) return `instance ${m.index} was started with --instances ${m.instances}, the coordinator with --instances ${role.instances}`;
    if (!Number.isInteger(m.index) || m.index < 1 || m.index >= role.instances) return `an instance connected with index ${m.index}: expected 1 to ${role.instances - 1} (0 is the coordinator)`;
    if (this.#members.has(m.index)) return `two instances connected with index ${m.index} (${this.#members.get(m.index)!.address} first): each index must be given once`;
    if (m.fingerprint.scenario !== fingerprint.scenario) return `instance ${m.index} has a different scenario (its bundle or its resolved options differ from the coordinator's): every instance must run the same file with the same -e values`;
    return undefined;
  }

  /** A mismatch refuses the run on every instance: 104, before any load. */
  #refuseRun(problem: string, wire: InstanceWire): void {
    const message = `${problem}; the run was refused on every instance and no load was sent.`;
    wire.end({ type: 'refused', message });
    for (const m of this.#members.values()) m.wire.end({ type: 'refused', message });
    this.#refusal?.(new McprunError('MCPRUN_CONFIG', message));
  }

  #join(member: Member): void {
    member.wire.onMessage((m) => this.#message(member, m));
    member.wire.onClose((why) => this.#lost(member, why));
    this.#joined++;
    this.stderr.write(`mcprun: instance ${member.index} joined from ${member.address}, clock offset ${member.offsetMs >= 0 ? '+' : ''}${member.offsetMs.toFixed(1)} ms (${this.#joined + 1} of ${this.role.instances}).\n`);
    if (this.#joined === this.role.instances - 1) this.#admitted();
  }

  #joined = 0;

  #message(member: Member, m: InstanceMessage): void {
    member.lastSeen = Date.now();
    if (m.type === 'stop-request') for (const l of this.#stopRequests) l(m.hard);
    else if (m.type === 'from-worker') this.#relay?.(m.msg);
    else if (m.type === 'worker-exit') {
      const feed = member.feeds.get(m.index);
      if (feed && !feed.done) {
        feed.done = true;
        feed.exited(m.code, m.error ? deserializeError(m.error) : undefined);
      }
    }
  }

  #relay: ((msg: Extract<InstanceMessage, { type: 'from-worker' }>['msg']) => void) | undefined;

  #lost(member: Member, why: string): void {
    if (member.ended) return;
    member.ended = true;
    const error = new Error(`instance ${member.index} (${member.address}) was lost: ${why}`);
    for (const feed of member.feeds.values()) {
      if (feed.done) continue;
      feed.done = true;
      feed.exited(1, error);
    }
    // Before the load: the run cannot start without it.
    this.#refusal?.(new McprunError('MCPRUN_CONFIG', `${error.message} before the run started; no load was sent.`));
  }

  #beat(): void {
    const now = Date.now();
    for (const m of this.#members.values()) {
      if (m.ended) continue;
      if (now - m.lastSeen > SILENCE_LIMIT_MS) m.wire.destroy(`it sent nothing for ${Math.round((now - m.lastSeen) / 1000)}s (missed heartbeats)`);
      else m.wire.send({ type: 'heartbeat' });
    }
  }

  /** Gives each instance its share and adds its workers to `pool` as remote workers, in global order. */
  adoptInto(pool: WorkerPool, workerCount: number): void {
    this.#refusal = undefined;
    this.#started = true;
    // This instance's own workers start each phase at the moment the others are told.
    for (const w of pool.workers) {
      const held = new DeferredStarts(w.send.bind(w));
      w.send = (msg) => held.send(msg, msg.type === 'start-scenario' ? START_LEAD_MS : 0);
    }
    const feeds = new Map<number, ReturnType<WorkerPool['adopt']>>();
    this.#relay = (msg) => {
      const index = 'workerIndex' in msg ? msg.workerIndex : -1;
      feeds.get(index)?.message(msg);
    };
    for (let i = 1; i < this.role.instances; i++) {
      const member = this.#members.get(i)!;
      const share = instanceShare({ workers: workerCount }, this.role.instances, i);
      member.wire.send({ type: 'assign', first: share.first, count: share.count, workerCount, offsetMs: member.offsetMs });
      for (let w = share.first; w < share.first + share.count; w++) {
        const feed = pool.adopt(remoteWorker(w, member));
        feeds.set(w, feed);
        member.feeds.set(w, { exited: feed.exited, done: member.ended });
        if (member.ended) feed.exited(1, new Error(`instance ${i} (${member.address}) was lost before its workers started`));
      }
    }
  }

  /** A stop from outside on another instance (SIGTERM on its pod): the whole run stops. */
  onStopRequest(fn: (hard: boolean) => void): () => void {
    this.#stopRequests.add(fn);
    return () => this.#stopRequests.delete(fn);
  }

  /** The run is over (or refused): every instance is told the exit code; the listener closes. */
  end(exitCode: number, reason: string | null): void {
    clearInterval(this.#heartbeat);
    for (const m of this.#members.values()) {
      if (m.ended) continue;
      m.ended = true;
      m.wire.end(exitCode === 104 && reason ? { type: 'refused', message: reason } : { type: 'end', exitCode, reason });
    }
    this.#server?.close();
  }
}

const CLOCK_PROBES = 5;

/** The instance's clock offset (coordinator minus instance, ms), from the probe with the shortest round trip (NTP's estimate). */
async function probeClock(wire: InstanceWire): Promise<number> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < CLOCK_PROBES && !wire.closed; i++) {
    const pong = await new Promise<Extract<InstanceMessage, { type: 'pong' }> | undefined>((resolve) => {
      const offMsg = wire.onMessage((m) => {
        if (m.type !== 'pong') return;
        offMsg();
        offClose();
        resolve(m);
      });
      const offClose = wire.onClose(() => resolve(undefined));
      wire.send({ type: 'ping', sent: epochNow() });
    });
    if (!pong) break;
    const back = epochNow();
    if (back - pong.sent < best.rtt) best = { rtt: back - pong.sent, offset: (pong.sent + back) / 2 - pong.at };
  }
  return best.offset;
}

/** A worker of another instance, as the pool sees it: what it is sent goes over that instance's connection. */
function remoteWorker(index: number, member: Member): PoolWorker {
  return {
    index,
    state: 'starting',
    lastError: undefined,
    pid: undefined,
    send: (msg) => member.wire.send(msg.type === 'start-scenario' ? { type: 'to-worker', index, msg, at: epochNow() + START_LEAD_MS } : { type: 'to-worker', index, msg }),
    terminate: async () => member.wire.send({ type: 'terminate', index }),
  };
}

/** A hello as mcprun sends it; anything else (a stranger on a loopback port) is closed unread. */
function isHello(m: unknown): m is Extract<InstanceMessage, { type: 'hello' }> {
  const h = m as Partial<Extract<InstanceMessage, { type: 'hello' }>> | null;
  return Boolean(h && h.type === 'hello' && typeof h.index === 'number' && typeof h.instances === 'number' && h.fingerprint && typeof h.fingerprint.version === 'string' && typeof h.fingerprint.scenario === 'string' && (h.token === null || typeof h.token === 'string'));
}

export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

function sameToken(expected: string, given: string | null): boolean {
  if (given === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
