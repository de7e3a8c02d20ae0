/**
 * A target process mcprun starts, watches and stops (`targets.x.command`), and the process faults
 * on it: kill (SIGKILL of its whole process group; started again when the fault ends), pause
 * (SIGSTOP / SIGCONT of the group) and restart (SIGTERM, wait, start again). Its stdout and
 * stderr are appended to `<logDir>/<name>.stdout.log` and `.stderr.log`. Each start goes through
 * a keeper process (keeper.ts), so the target dies with mcprun even when mcprun is SIGKILLed.
 * An exit nobody asked for is an `exited` event with `expected: false`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { McprunError } from '../errors.js';
import { formatDuration } from '../duration.js';
import type { ResolvedManaged, ResolvedTarget } from '../config/faults-resolved.js';
import { KEEPER_SOURCE, type KeeperMessage } from './keeper.js';
import { describeProbe, probeOnce, type Probe } from './readiness.js';
import { safeTimeout } from '../timers.js';

export interface ManagedTargetSpec {
  name: string;
  command: string[];
  /** Added to mcprun's own environment. */
  env: Record<string, string>;
  cwd: string | undefined;
  probe: Probe;
  readyTimeoutMs: number;
  /** Where the logs go. */
  logDir: string;
  /** How long a SIGTERM may take before SIGKILL (stop, restart). @default 5000 */
  stopTimeoutMs?: number;
}

export type TargetEvent =
  | { type: 'started'; target: string; pid: number; at: number }
  | { type: 'ready'; target: string; at: number; afterMs: number }
  | { type: 'exited'; target: string; pid: number; code: number | null; signal: string | null; expected: boolean; at: number }
  | { type: 'paused' | 'resumed'; target: string; pid: number; at: number };

interface Incarnation {
  keeper: ChildProcess;
  pid: number;
  startedAt: number;
  exited: Promise<void>;
  /** Set before a signal mcprun sends on purpose, so the exit that follows is expected. */
  expected: boolean;
  running: boolean;
}

const PROBE_EVERY_MS = 100;

export class ManagedTarget {
  readonly events: TargetEvent[] = [];
  #current: Incarnation | null = null;
  #paused = false;

  /** The process of a resolved `targets.<name>` with a command, logging to `logDir`. */
  static fromResolved(target: ResolvedTarget & { managed: ResolvedManaged }, logDir: string, onEvent?: (e: TargetEvent) => void): ManagedTarget {
    const m = target.managed;
    const probe: Probe = m.readyUrl ? { type: 'http', url: m.readyUrl } : { type: 'tcp', host: target.upstream.host, port: target.upstream.port };
    // The program as found on PATH before the run, so a different PATH in `env` cannot change it.
    const command = [m.executable, ...m.command.slice(1)];
    return new ManagedTarget({ name: target.name, command, env: m.env, cwd: m.cwd, probe, readyTimeoutMs: m.readyTimeoutMs, logDir }, onEvent);
  }

  constructor(
    readonly spec: ManagedTargetSpec,
    readonly onEvent: (e: TargetEvent) => void = () => {},
    readonly now: () => number = Date.now,
  ) {}

  get pid(): number | undefined {
    return this.#current?.running ? this.#current.pid : undefined;
  }

  get running(): boolean {
    return this.#current?.running ?? false;
  }

  get logFiles(): { stdout: string; stderr: string } {
    return { stdout: join(this.spec.logDir, `${this.spec.name}.stdout.log`), stderr: join(this.spec.logDir, `${this.spec.name}.stderr.log`) };
  }

  /** Starts the process; resolves once it runs (its pid is known). A no-op while it runs. */
  async start(): Promise<void> {
    if (this.running) return;
    mkdirSync(this.spec.logDir, { recursive: true });
    const out = openSync(this.logFiles.stdout, 'a');
    const err = openSync(this.logFiles.stderr, 'a');
    let keeper: ChildProcess;
    try {
      const spec = { command: this.spec.command, env: { ...process.env, ...this.spec.env }, cwd: this.spec.cwd };
      keeper = spawn(process.execPath, ['-e', KEEPER_SOURCE, JSON.stringify(spec)], { stdio: ['pipe', 'pipe', err, out, err], detached: true });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    const first = await keepingAlive(this.#attach(keeper));
    if (first.type !== 'spawned') {
      throw new McprunError('MCPRUN_TARGET', `target "${this.spec.name}": could not start ${JSON.stringify(this.spec.command.join(' '))}: ${first.type === 'error' ? first.message : 'the keeper process ended'}.`, {
        hint: 'Check targets.' + this.spec.name + '.command (the program must exist on PATH or be a path) and its cwd.',
      });
    }
    this.#paused = false;
    this.#emit({ type: 'started', target: this.spec.name, pid: first.pid, at: this.now() });
  }

  /** Reads the keeper's messages; resolves with the first (spawned or error). */
  #attach(keeper: ChildProcess): Promise<KeeperMessage | { type: 'gone' }> {
    keeper.unref();
    (keeper.stdin as unknown as { unref?: () => void }).unref?.();
    (keeper.stdout as unknown as { unref?: () => void }).unref?.();
    keeper.stdin!.on('error', () => {});
    return new Promise((resolve) => {
      let inc: Incarnation | null = null;
      let markExited: () => void = () => {};
      const exited = new Promise<void>((r) => (markExited = r));
      const lines = createInterface({ input: keeper.stdout! });
      lines.on('line', (line) => {
        const m = JSON.parse(line) as KeeperMessage;
        if (m.type === 'spawned') {
          inc = { keeper, pid: m.pid, startedAt: this.now(), exited, expected: false, running: true };
          this.#current = inc;
          resolve(m);
        } else if (m.type === 'error') resolve(m);
        else if (inc) this.#exited(inc, m.code, m.signal);
      });
      // The keeper exits after it killed what was left of the group: only then is the target gone.
      keeper.once('exit', () => {
        if (inc?.running) this.#exited(inc, null, 'SIGKILL');
        markExited();
        resolve({ type: 'gone' });
      });
    });
  }

  #exited(inc: Incarnation, code: number | null, signal: string | null): void {
    if (!inc.running) return;
    inc.running = false;
    this.#emit({ type: 'exited', target: this.spec.name, pid: inc.pid, code, signal, expected: inc.expected, at: this.now() });
  }

  /** Waits for the keeper to exit (it has then killed what was left of the group). */
  #gone(inc: Incarnation): Promise<void> {
    return keepingAlive(inc.exited);
  }

  /**
   * Resolves when the target is ready (ms it took since it started); rejects with MCPRUN_TARGET
   * (exit 104) when it exits first or is not ready within `readyTimeoutMs`.
   */
  async ready(): Promise<number> {
    const inc = this.#current;
    if (!inc?.running) throw this.#notRunning('is not running');
    const deadline = inc.startedAt + this.spec.readyTimeoutMs;
    let seen: string | undefined = 'not probed yet';
    while (inc.running) {
      seen = await probeOnce(this.spec.probe);
      if (seen === undefined && inc.running) {
        const afterMs = this.now() - inc.startedAt;
        this.#emit({ type: 'ready', target: this.spec.name, at: this.now(), afterMs });
        return afterMs;
      }
      if (this.now() >= deadline) break;
      await Promise.race([new Promise((r) => setTimeout(r, PROBE_EVERY_MS)), inc.exited]);
    }
    if (!inc.running) throw this.#notRunning('exited before it was ready');
    throw new McprunError(
      'MCPRUN_TARGET',
      `target "${this.spec.name}" was not ready within ${formatDuration(this.spec.readyTimeoutMs)}: waited for ${describeProbe(this.spec.probe)}, last saw ${seen}.${this.#stderrTail()}`,
      { hint: `Check that the command listens where targets.${this.spec.name}.upstream says, or raise targets.${this.spec.name}.ready.timeout; its output is in ${this.logFiles.stdout} and ${this.logFiles.stderr}.` },
    );
  }

  #notRunning(what: string): McprunError {
    const last = [...this.events].reverse().find((e) => e.type === 'exited');
    const how = last?.type === 'exited' ? ` (${last.signal ? `signal ${last.signal}` : `exit code ${last.code}`})` : '';
    return new McprunError('MCPRUN_TARGET', `target "${this.spec.name}" ${what}${how}: ${JSON.stringify(this.spec.command.join(' '))}.${this.#stderrTail()}`, {
      hint: `Its output is in ${this.logFiles.stdout} and ${this.logFiles.stderr}.`,
    });
  }

  /** The last lines the target wrote to stderr, for an error message. */
  #stderrTail(): string {
    try {
      const lines = readFileSync(this.logFiles.stderr, 'utf8').trimEnd().split('\n').slice(-5);
      return lines[0] ? ` Its last stderr lines:\n    ${lines.join('\n    ')}\n` : '';
    } catch {
      return '';
    }
  }

  /** SIGKILL to the whole group (the `kill` fault); resolves once it is gone. */
  async kill(): Promise<void> {
    const inc = this.#current;
    if (!inc?.running) return;
    inc.expected = true;
    this.#signal(inc, 'SIGKILL');
    await this.#gone(inc);
  }

  /** SIGSTOP to the group (the `pause` fault). */
  pause(): void {
    const inc = this.#current;
    if (!inc?.running || this.#paused) return;
    this.#paused = true;
    this.#signal(inc, 'SIGSTOP');
    this.#emit({ type: 'paused', target: this.spec.name, pid: inc.pid, at: this.now() });
  }

  resume(): void {
    const inc = this.#current;
    if (!inc?.running || !this.#paused) return;
    this.#paused = false;
    this.#signal(inc, 'SIGCONT');
    this.#emit({ type: 'resumed', target: this.spec.name, pid: inc.pid, at: this.now() });
  }

  /** Starts a stopped target again and waits until it is ready (the end of a `kill` fault). */
  async revive(): Promise<number> {
    await this.start();
    return this.ready();
  }

  /** The `restart` fault: SIGTERM (SIGKILL after stopTimeoutMs), start again, wait until ready. */
  async restart(): Promise<number> {
    await this.stop();
    return this.revive();
  }

  /** SIGTERM to the group, SIGKILL if it is still there after stopTimeoutMs; every process of the group is gone after. */
  async stop(): Promise<void> {
    const inc = this.#current;
    if (!inc) return;
    if (!inc.running) return this.#gone(inc);
    inc.expected = true;
    this.#signal(inc, 'SIGTERM');
    // A stopped process handles SIGTERM only once continued.
    if (this.#paused) this.#signal(inc, 'SIGCONT');
    this.#paused = false;
    const timer = safeTimeout(() => this.#signal(inc, 'SIGKILL'), this.spec.stopTimeoutMs ?? 5000);
    await this.#gone(inc);
    clearTimeout(timer);
  }

  #signal(inc: Incarnation, signal: NodeJS.Signals): void {
    try {
      process.kill(-inc.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  #emit(e: TargetEvent): void {
    this.events.push(e);
    this.onEvent(e);
  }
}

/**
 * The keeper's handles are unref'd (a target must not keep mcprun running), so whoever awaits one
 * of its answers keeps the event loop alive with a timer of its own meanwhile.
 */
async function keepingAlive<T>(p: Promise<T>): Promise<T> {
  const alive = setInterval(() => {}, 1000);
  try {
    return await p;
  } finally {
    clearInterval(alive);
  }
}
