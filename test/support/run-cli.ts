/** Runs the built CLI (dist/cli.mjs) as a real process, as a user would. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../dist/cli.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time of the whole process, ms. */
  ms: number;
}

export interface CliRun extends Promise<CliResult> {
  pid: number;
  kill(sig?: NodeJS.Signals): void;
  /** Resolves when stderr/stdout first contains `text`. */
  waitForOutput(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** What the process has written so far, stdout then stderr. */
  output(): string;
}

export function runCli(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): CliRun {
  const t0 = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ test: string | RegExp; resolve: () => void }> = [];
  const onData = () => {
    for (const w of [...waiters]) {
      const all = stdout + stderr;
      if (typeof w.test === 'string' ? all.includes(w.test) : w.test.test(all)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.on('data', (d) => {
    stdout += d;
    onData();
  });
  child.stderr.on('data', (d) => {
    stderr += d;
    onData();
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const p = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timeout);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  }) as CliRun;
  p.pid = child.pid!;
  p.kill = (sig = 'SIGINT') => child.kill(sig);
  p.output = () => stdout + stderr;
  p.waitForOutput = (test, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`output never contained ${String(test)}\nstdout: ${stdout}\nstderr: ${stderr}`)), timeoutMs);
      waiters.push({ test, resolve: () => (clearTimeout(t), resolve()) });
      onData();
    });
  return p;
}
