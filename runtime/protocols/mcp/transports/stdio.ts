/**
 * stdio: mcprun spawns the server and speaks newline-delimited JSON on its stdin/stdout. stderr
 * is the server's log, kept (last 64 KiB) for `session.stderr()`, never an error signal. Closing
 * follows the spec: end stdin, then SIGTERM, then SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { McpError } from '../errors.js';
import { LineDecoder } from '../framing.js';
import { MessageStreamTransport } from './message-stream.js';
import type { StdioTarget } from '../types.js';
import type { TransportHost } from './types.js';
import { safeTimeout } from '../../../timers.js';


const STDERR_KEEP = 64 * 1024;
const CLOSE_STEP_MS = 2000;

export class StdioTransport extends MessageStreamTransport {
  readonly kind = 'stdio' as const;
  #child: ChildProcess | undefined;
  #stderr = '';
  #exited: Promise<void> | undefined;
  readonly #decoder = new LineDecoder(this);

  constructor(
    readonly spec: StdioTarget,
    host: TransportHost,
  ) {
    super([spec.command, ...(spec.args ?? [])].join(' '), host);
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  stderrText(): string {
    return this.#stderr;
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(this.spec.command, this.spec.args ?? [], {
          env: this.spec.env ? { ...process.env, ...this.spec.env } : process.env,
          cwd: this.spec.cwd,
          stdio: ['pipe', 'pipe', 'pipe'],
          windowsHide: true,
        });
      } catch (err) {
        reject(new McpError('transport_error', `could not start ${this.target}: ${(err as Error).message}`, (err as { code?: string }).code));
        return;
      }
      this.#child = child;
      this.#exited = new Promise((done) => child.once('close', () => done()));
      child.once('spawn', () => resolve());
      child.once('error', (err: Error & { code?: string }) => {
        const e = new McpError('transport_error', `could not start ${this.target}: ${err.message}`, err.code);
        reject(e);
        this.lost(e);
      });
      child.stdout!.on('data', (chunk: Buffer) => {
        this.received += chunk.length;
        try {
          this.#decoder.push(chunk);
        } catch (err) {
          this.lost(new McpError('transport_error', `stdout of ${this.target}: ${(err as Error).message}`, 'EMSGSIZE'));
          child.kill('SIGKILL');
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        this.#stderr += chunk.toString('utf8');
        if (this.#stderr.length > STDERR_KEEP) this.#stderr = this.#stderr.slice(-STDERR_KEEP);
      });
      child.stdin!.on('error', () => {
        // EPIPE after the process died: the 'exit' handler reports it.
      });
      child.once('exit', (code, signal) => {
        const tail = this.#stderr.trim().split('\n').slice(-3).join(' | ');
        this.lost(
          new McpError(
            'transport_error',
            `the server process ${this.target} (pid ${child.pid}) exited (${signal ? `signal ${signal}` : `code ${code}`})${tail ? `; stderr: ${tail.slice(-300)}` : ''}`,
            'ECHILDEXIT',
          ),
        );
      });
    });
  }

  protected write(text: string): boolean {
    const stdin = this.#child?.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) return false;
    const line = `${text}\n`;
    this.sent += Buffer.byteLength(line);
    stdin.write(line);
    return true;
  }

  async close(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    if (!this.gone) this.gone = new McpError('transport_error', 'the session is closed');
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin?.end();
    if (await this.#waitExit(CLOSE_STEP_MS)) return;
    child.kill('SIGTERM');
    if (await this.#waitExit(CLOSE_STEP_MS)) return;
    child.kill('SIGKILL');
    await this.#waitExit(CLOSE_STEP_MS);
  }

  #waitExit(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = safeTimeout(() => resolve(false), ms);
      void this.#exited!.then(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }
}
