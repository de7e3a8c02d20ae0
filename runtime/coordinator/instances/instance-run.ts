/**
 * An instance other than the coordinator (index 1 .. N-1): it compiles and reads the scenario as
 * the coordinator does, connects to it (retrying until it answers: pods start in any order), is
 * admitted or refused (104), runs the global workers it is given and relays their messages both
 * ways, and exits with the code the coordinator gives at the end: every instance exits with the
 * run's code. The summary, exports and reports are the coordinator's. If the coordinator goes
 * away (its connection closes, or it stays silent past SILENCE_LIMIT_MS), this instance stops its
 * load at once and exits 106: nothing it measured afterwards could be merged.
 */
import { connect } from 'node:net';
import { availableParallelism } from 'node:os';
import { DEFAULT_FLUSH_INTERVAL_MS, type RunOptions } from '../../config/run-options.js';
import { McprunError, serializeError } from '../../errors.js';
import { EXIT_CODES } from '../../exit-codes.js';
import type { CoordinatorMessage } from '../../worker-protocol.js';
import { preparePool } from '../fd-limit.js';
import { loadScenario, type LoadedScenario } from '../load.js';
import { planRun, workerPlans } from '../plan.js';
import { releasePrespawned } from '../prespawn.js';
import type { StopSignals } from '../stop-signals.js';
import { WorkerPool } from '../worker-pool.js';
import { DeferredStarts } from './deferred-starts.js';
import { fingerprintOf } from './fingerprint.js';
import { GATHER_TIMEOUT_MS, HEARTBEAT_MS, SILENCE_LIMIT_MS, type HubMessage, type InstanceMessage } from './protocol.js';
import type { InstanceRole } from './role.js';
import { Wire } from './wire.js';

const RETRY_MS = 500;

type HubWire = Wire<HubMessage, InstanceMessage>;
type Assign = Extract<HubMessage, { type: 'assign' }>;

/** The exit code of the run, as the coordinator gave it (or 106 when it was lost). */
export async function runInstance(opts: RunOptions, role: InstanceRole, stops: StopSignals): Promise<number> {
  const stderr = opts.stderr ?? process.stderr;
  const scenario = await loadScenario(opts, stops, (opts.pool ?? 'threads') === 'threads');
  let wire: HubWire | undefined;
  try {
    wire = await connectToCoordinator(role, stops, stderr);
    await join(wire, role, fingerprintOfScenario(scenario));
    stderr.write(`mcprun: instance ${role.index} of ${role.instances} joined the coordinator at ${role.host}:${role.port}; waiting for the others.\n`);
    return await new InstanceSession(opts, role, scenario, wire, stops).run();
  } finally {
    wire?.destroy('done');
    releasePrespawned();
    scenario.bundle.dispose();
  }
}

function fingerprintOfScenario(scenario: LoadedScenario) {
  return fingerprintOf(scenario.bundle.path, scenario.config);
}

/** Tries every RETRY_MS until the coordinator answers, GATHER_TIMEOUT_MS at most; a stop from outside ends the wait. */
async function connectToCoordinator(role: InstanceRole, stops: StopSignals, stderr: NodeJS.WritableStream): Promise<HubWire> {
  const deadline = Date.now() + GATHER_TIMEOUT_MS;
  let said = false;
  for (;;) {
    if (stops.requested) throw new McprunError('MCPRUN_STOPPED', 'stopped while waiting for the coordinator');
    const socket = await new Promise<import('node:net').Socket | Error>((resolve) => {
      const s = connect({ host: role.host, port: role.port });
      s.once('connect', () => resolve(s));
      s.once('error', (err) => resolve(err));
    });
    if (!(socket instanceof Error)) return new Wire(socket);
    if (Date.now() > deadline) {
      throw new McprunError('MCPRUN_CONFIG', `instance ${role.index} could not reach the coordinator at ${role.host}:${role.port} within ${GATHER_TIMEOUT_MS / 1000}s (${socket.message}); no load was sent.`, {
        hint: 'Start instance 0 with the same --coordinator, and check that this instance can reach that address.',
      });
    }
    if (!said) stderr.write(`mcprun: instance ${role.index}: the coordinator at ${role.host}:${role.port} does not answer yet (${socket.message}); retrying.\n`);
    said = true;
    await new Promise<void>((r) => {
      const t = setTimeout(r, RETRY_MS);
      stops.onStop(() => {
        clearTimeout(t);
        r();
      });
    });
  }
}

/** The hello and its answer: admitted, or refused with the coordinator's reason (104). */
async function join(wire: HubWire, role: InstanceRole, fingerprint: ReturnType<typeof fingerprintOf>): Promise<void> {
  const answer = new Promise<HubMessage | string>((resolve) => {
    const off = wire.onMessage((m) => {
      off();
      if (m.type === 'welcome') wire.upgrade();
      resolve(m);
    });
    wire.onClose((why) => resolve(why));
  });
  wire.send({ type: 'hello', index: role.index, instances: role.instances, fingerprint, token: role.token });
  const m = await answer;
  if (typeof m === 'string') throw new McprunError('MCPRUN_CONFIG', `instance ${role.index}: the coordinator at ${role.host}:${role.port} closed the connection before admitting it (${m}); no load was sent.`);
  if (m.type === 'refused') throw new McprunError('MCPRUN_CONFIG', m.message);
  if (m.type !== 'welcome') throw new McprunError('MCPRUN_INTERNAL', `instance ${role.index}: the coordinator answered ${m.type} to its hello.`);
}

function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** From the assignment to the end the coordinator announces, or to the coordinator's loss. */
class InstanceSession {
  #pool: WorkerPool | undefined;
  #first = 0;
  #held: DeferredStarts[] = [];
  #lastSeen = Date.now();
  #ended = false;
  #offsetMs = 0;
  #settle!: (code: number) => void;
  readonly #done = new Promise<number>((r) => (this.#settle = r));
  readonly #stderr: NodeJS.WritableStream;

  constructor(
    readonly opts: RunOptions,
    readonly role: InstanceRole,
    readonly scenario: LoadedScenario,
    readonly wire: HubWire,
    readonly stops: StopSignals,
  ) {
    this.#stderr = opts.stderr ?? process.stderr;
  }

  async run(): Promise<number> {
    const { wire } = this;
    wire.onMessage((m) => void this.#message(m).catch((err: unknown) => this.#failed(err)));
    wire.onClose((why) => this.#coordinatorLost(`its connection closed (${why})`));
    const beat = setInterval(() => this.#beat(), HEARTBEAT_MS);
    const offStop = this.stops.onStop(() => wire.send({ type: 'stop-request', hard: false }));
    const offHard = this.stops.onStop(() => wire.send({ type: 'stop-request', hard: true }), true);
    try {
      return await this.#done;
    } finally {
      clearInterval(beat);
      offStop();
      offHard();
      await this.#pool?.terminateAll();
    }
  }

  #resolve(code: number): void {
    this.#ended = true;
    this.#settle(code);
  }

  async #message(m: HubMessage): Promise<void> {
    this.#lastSeen = Date.now();
    switch (m.type) {
      case 'assign':
        return this.#assign(m);
      case 'to-worker':
        return this.#held[m.index - this.#first]?.send(m.msg, m.at === undefined ? 0 : m.at - this.#offsetMs - epochNow());
      case 'terminate':
        return void this.#pool?.workers[m.index - this.#first]?.terminate();
      case 'end':
        this.#stderr.write(`mcprun: instance ${this.role.index}: the run ended with exit code ${m.exitCode}${m.reason ? ` (${m.reason})` : ''}; the summary is on instance 0.\n`);
        return this.#resolve(m.exitCode);
      case 'refused':
        this.#stderr.write(`mcprun: ${m.message}\n`);
        return this.#resolve(EXIT_CODES.INVALID_CONFIG);
      case 'ping':
        return this.wire.send({ type: 'pong', sent: m.sent, at: epochNow() });
      case 'welcome':
      case 'heartbeat':
        return;
    }
  }

  async #assign(m: Assign): Promise<void> {
    const { opts, scenario } = this;
    const one = planRun(scenario.config.scenarios, m.count, availableParallelism());
    const plan = { ...one, workers: m.workerCount };
    const poolPlan = await preparePool({ ...one, workers: m.count, peak: { ...one.peak, vus: Math.ceil(one.peak.vus / this.role.instances) } }, opts.pool, opts.localIps);
    const shared = { bundlePath: scenario.bundle.path, env: scenario.env, flushIntervalMs: opts.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS, ...poolPlan };
    const plans = workerPlans(plan, scenario.config, shared).slice(m.first, m.first + m.count);
    this.#first = m.first;
    this.#offsetMs = m.offsetMs;
    const pool = new WorkerPool(plans, scenario.env);
    this.#pool = pool;
    releasePrespawned();
    this.#held = pool.workers.map((w) => new DeferredStarts((msg: CoordinatorMessage) => w.send(msg)));
    pool.onMessage((msg) => this.wire.send({ type: 'from-worker', msg }));
    pool.onExit((index, code, error) => this.wire.send({ type: 'worker-exit', index, code, error: error ? serializeError(error) : null }));
  }

  #beat(): void {
    const silent = Date.now() - this.#lastSeen;
    if (silent > SILENCE_LIMIT_MS) return this.#coordinatorLost(`it sent nothing for ${Math.round(silent / 1000)}s (missed heartbeats)`);
    this.wire.send({ type: 'heartbeat' });
  }

  /** The coordinator is gone: this instance's load stops now, and it exits 106. */
  #coordinatorLost(why: string): void {
    if (this.#ended) return;
    this.#stderr.write(`mcprun: instance ${this.role.index}: the coordinator at ${this.role.host}:${this.role.port} is gone: ${why}; stopping this instance's load.\n`);
    this.#pool?.broadcast({ type: 'stop', graceful: false });
    this.#resolve(EXIT_CODES.WORKER_FAILED);
  }

  #failed(err: unknown): void {
    // It cannot run its share (its open-file limit, --local-ips): the coordinator sees the loss.
    this.#stderr.write(`mcprun: instance ${this.role.index}: ${McprunError.is(err) ? err.userMessage : (err as Error).message}\n`);
    this.wire.destroy('this instance failed');
    this.#resolve(McprunError.is(err) ? err.exitCode : EXIT_CODES.INTERNAL);
  }
}

