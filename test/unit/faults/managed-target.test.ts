/**
 * Managed targets with real processes and signals: started, probed until ready, killed and
 * revived, paused, restarted, stopped with their children, reported when they exit on their own,
 * and gone when the process that owns them is SIGKILLed. /proc says whether a PID still lives.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, onTestFinished, test } from 'vitest';
import { resolveFaultPlan } from '../../../runtime/config/faults-resolve.js';
import { resolveConfig } from '../../../runtime/config/resolve.js';
import { ManagedTarget, type ManagedTargetSpec, type TargetEvent } from '../../../runtime/faults/managed-target.js';
import { running } from '../../support/faults.js';

const SERVER = fileURLToPath(new URL('../../fixtures/faults/target-server.mjs', import.meta.url));
const OWNER = fileURLToPath(new URL('../../fixtures/faults/target-owner.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mcprun-targets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

function procState(pid: number): string {
  return /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))![1];
}

async function gone(pids: number[], ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (pids.some(running)) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** GET / on the target: the status, or the error code. */
function status(port: number, timeoutMs = 1000): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.once('error', (e: NodeJS.ErrnoException) => resolve(e.code!));
    req.end();
  });
}

let n = 0;
async function target(env: Record<string, string> = {}, spec: Partial<ManagedTargetSpec> = {}): Promise<{ t: ManagedTarget; port: number; events: TargetEvent[] }> {
  const port = await freePort();
  const events: TargetEvent[] = [];
  const t = new ManagedTarget(
    {
      name: `app${++n}`,
      command: [process.execPath, SERVER],
      env: { PORT: String(port), ...env },
      cwd: undefined,
      probe: { type: 'tcp', host: '127.0.0.1', port },
      readyTimeoutMs: 5000,
      logDir: dir,
      ...spec,
    },
    (e) => events.push(e),
  );
  onTestFinished(() => t.stop());
  return { t, port, events };
}

/** The target's and its child's PIDs, from what it printed to its stdout log. */
function pidsOf(t: ManagedTarget): number[] {
  const lines = readFileSync(t.logFiles.stdout, 'utf8').trim().split('\n').filter((l) => l.startsWith('pid='));
  const m = /pid=(\d+) child=(\d*)/.exec(lines[lines.length - 1])!;
  return [Number(m[1]), ...(m[2] ? [Number(m[2])] : [])];
}

describe('lifecycle', () => {
  test('started, ready, logged; stop leaves no process of its group, its child included', async () => {
    const { t, port, events } = await target({ CHILD: '1', READY_DELAY_MS: '200' });
    await t.start();
    expect(await t.ready()).toBeGreaterThanOrEqual(190);
    expect(await status(port)).toBe(200);
    const pids = pidsOf(t);
    expect(pids).toHaveLength(2);
    expect(pids[0]).toBe(t.pid);
    expect(pids.every(running)).toBe(true);
    expect(readFileSync(t.logFiles.stderr, 'utf8')).toContain('listening');
    await t.stop();
    expect(await gone(pids, 1000)).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['started', 'ready', 'exited']);
    expect(events[2]).toMatchObject({ expected: true, code: 0 });
  });

  test('kill: SIGKILL to the group, connections refused; revive starts it again and waits until ready', async () => {
    const { t, port, events } = await target({ CHILD: '1' });
    await t.revive();
    const first = pidsOf(t);
    await t.kill();
    expect(await gone(first, 1000)).toBe(true);
    expect(await status(port)).toBe('ECONNREFUSED');
    expect(events.find((e) => e.type === 'exited')).toMatchObject({ signal: 'SIGKILL', expected: true });
    await t.revive();
    expect(await status(port)).toBe(200);
    expect(t.pid).not.toBe(first[0]);
  });

  test('pause: the group is stopped (state T) and answers nothing; resume: it answers again', async () => {
    const { t, port } = await target({ CHILD: '1' });
    await t.revive();
    const pids = pidsOf(t);
    t.pause();
    await new Promise((r) => setTimeout(r, 50));
    expect(pids.map(procState)).toEqual(['T', 'T']);
    expect(await status(port, 300)).toBe('TIMEOUT');
    t.resume();
    expect(await status(port)).toBe(200);
    expect(pids.map(procState).every((s) => s !== 'T')).toBe(true);
  });

  test('stop of a paused target still ends it (SIGTERM is delivered once it is continued)', async () => {
    const { t } = await target();
    await t.revive();
    const pids = pidsOf(t);
    t.pause();
    await t.stop();
    expect(await gone(pids, 1000)).toBe(true);
  });

  test('restart: SIGTERM, started again, ready', async () => {
    const { t, port, events } = await target();
    await t.revive();
    const before = t.pid;
    await t.restart();
    expect(t.pid).not.toBe(before);
    expect(await status(port)).toBe(200);
    expect(events.map((e) => e.type)).toEqual(['started', 'ready', 'exited', 'started', 'ready']);
  });

  test('a SIGTERM that is ignored is followed by SIGKILL after stopTimeoutMs', async () => {
    const port = await freePort();
    const { t } = await target({}, { command: [process.execPath, '-e', "process.on('SIGTERM', () => {}); require('net').createServer().listen(Number(process.env.PORT), '127.0.0.1')"], env: { PORT: String(port) }, probe: { type: 'tcp', host: '127.0.0.1', port }, stopTimeoutMs: 300 });
    await t.revive();
    const t0 = Date.now();
    await t.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(t.events[t.events.length - 1]).toMatchObject({ type: 'exited', signal: 'SIGKILL' });
  });

  test('an exit nobody asked for is reported with its code', async () => {
    const { t, events } = await target({ EXIT_AFTER_MS: '300' });
    await t.revive();
    await new Promise((r) => setTimeout(r, 600));
    expect(t.running).toBe(false);
    expect(events.find((e) => e.type === 'exited')).toMatchObject({ code: 3, signal: null, expected: false });
  });
});

describe('from the resolved config', () => {
  test('targets.<name> with a command, its env, cwd and ready.url', async () => {
    const port = await freePort();
    const issues: unknown[] = [];
    const plan = resolveFaultPlan(
      { targets: { app: { command: ['node', 'target-server.mjs'], env: { PORT: String(port), UNHEALTHY_MS: '300' }, cwd: dirname(SERVER), upstream: `http://127.0.0.1:${port}`, ready: { timeout: '5s', url: '/health' } } } },
      resolveConfig({ vus: 1, duration: '1s' }).scenarios,
      issues as never[],
    );
    expect(issues).toEqual([]);
    const t = ManagedTarget.fromResolved(plan.targets[0] as Parameters<typeof ManagedTarget.fromResolved>[0], dir);
    onTestFinished(() => t.stop());
    expect(t.spec.probe).toEqual({ type: 'http', url: `http://127.0.0.1:${port}/health` });
    expect(await t.revive()).toBeGreaterThanOrEqual(290);
    expect(await status(port)).toBe(200);
  });
});

describe('readiness', () => {
  test('an HTTP probe waits until the answer is below 500', async () => {
    const port = await freePort();
    const { t } = await target({ PORT: String(port), UNHEALTHY_MS: '600' }, { probe: { type: 'http', url: `http://127.0.0.1:${port}/health` } });
    await t.start();
    const t0 = Date.now();
    await t.ready();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    expect(await status(port)).toBe(200);
  });

  test('not ready in time: MCPRUN_TARGET (exit 104) naming the target, the probe and the logs', async () => {
    const { t } = await target({}, { command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'], readyTimeoutMs: 400 });
    await t.start();
    const err = await t.ready().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MCPRUN_TARGET', exitCode: 104 });
    expect(String((err as Error).message)).toMatch(new RegExp(`target "${t.spec.name}" was not ready within 400ms: waited for a TCP connection to 127\\.0\\.0\\.1:\\d+, last saw ECONNREFUSED`));
    expect((err as { hint: string }).hint).toContain(`${t.spec.name}.stderr.log`);
  });

  test('exits before it is ready: the exit code and its last stderr lines', async () => {
    const { t } = await target({}, { command: [process.execPath, '-e', "console.error('boom: port in use'); process.exit(2)"] });
    await t.start();
    const err = (await t.ready().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/exited before it was ready \(exit code 2\)/);
    expect(err.message).toContain('boom: port in use');
  });

  test('a command that does not exist cannot start', async () => {
    const { t } = await target({}, { command: ['mcprun-no-such-command-xyz'] });
    await expect(t.start()).rejects.toMatchObject({ code: 'MCPRUN_TARGET', message: expect.stringMatching(/could not start "mcprun-no-such-command-xyz": .*ENOENT/) });
  });
});

describe('when the owner dies', () => {
  // SIGKILL: nothing in the owner runs. SIGINT to its whole process group: what Ctrl-C in a
  // terminal does (the target, in a session of its own, does not get it).
  test.each(['SIGKILL', 'SIGINT'] as const)('%s of the process that owns the target leaves no process of the target behind', async (signal) => {
    const bundle = join(dir, 'owner.mjs');
    buildSync({ entryPoints: [OWNER], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error' });
    const port = await freePort();
    const name = `orphan-${signal}`;
    const spec: ManagedTargetSpec = {
      name,
      command: [process.execPath, SERVER],
      env: { PORT: String(port), CHILD: '1' },
      cwd: undefined,
      probe: { type: 'tcp', host: '127.0.0.1', port },
      readyTimeoutMs: 5000,
      logDir: dir,
    };
    const owner = spawn(process.execPath, [bundle, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    onTestFinished(() => void owner.kill('SIGKILL'));
    await new Promise<void>((r) => owner.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && r()));
    const lines = readFileSync(join(dir, `${name}.stdout.log`), 'utf8').trim().split('\n').filter((l) => l.startsWith('pid='));
    const [, pid, child] = /pid=(\d+) child=(\d+)/.exec(lines[lines.length - 1])!.map(Number);
    expect([pid, child].every(running)).toBe(true);
    process.kill(signal === 'SIGINT' ? -owner.pid! : owner.pid!, signal);
    expect(await gone([owner.pid!, pid, child], 3000)).toBe(true);
    expect(await status(port)).toBe('ECONNREFUSED');
  });
});
