/**
 * Signals around the CLI itself: `npx mcprun` where only npm gets the SIGTERM (what `timeout`, CI
 * runners, `docker stop` and Kubernetes send to the top process), and Ctrl-C before the CLI has
 * even loaded. Real npm, real processes, real signals.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { serverForTest } from '../support/http-server.js';
import { readSummary } from '../support/summary.js';
import { alive, commandLine, descendants, until } from '../support/processes.js';
import { BIN, ROOT, runCli } from '../support/run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'mcprun-launch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('npx mcprun', () => {
  test('SIGTERM to npm only: mcprun notices, stops within gracefulStop + 3 s, writes its export, leaves no process', async () => {
    const s = await serverForTest();
    // A project with mcprun installed (a link to this checkout): npx runs its bin, no registry involved.
    const project = join(root, 'project');
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    writeFileSync(join(project, 'package.json'), '{"name":"uses-mcprun","private":true}');
    symlinkSync(ROOT, join(project, 'node_modules', 'mcprun'));
    symlinkSync(BIN, join(project, 'node_modules', '.bin', 'mcprun'));
    const out = join(root, 'npx-summary.json');
    const npx = spawn('npx', ['mcprun', join(ROOT, 'test/fixtures/reliability/long-run.ts'), '-e', `TARGET=${s.url}`, '-e', 'GRACEFUL=1s', '--summary-export', out, '--no-progress'], {
      cwd: project,
      env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    npx.stderr.on('data', (d) => (stderr += d));
    const npxExit = new Promise<number | null>((r) => npx.on('exit', (code, sig) => r(code ?? (sig ? 128 + 15 : null))));
    await until(() => s.requests.length >= 20, 30_000, 'load through npx');
    const tree = descendants(npx.pid!);
    const mcprun = tree.filter((p) => commandLine(p).includes('long-run.ts') && !commandLine(p).startsWith('npm'));
    expect(mcprun.length, `mcprun under npx: ${tree.join(',')}`).toBeGreaterThan(0);
    const sentAt = Date.now();
    npx.kill('SIGTERM');
    expect(await npxExit).toBe(143);
    // gracefulStop 1 s + 3 s.
    await until(() => tree.every((p) => !alive(p)), 4000, 'every process of the run gone');
    expect(Date.now() - sentAt).toBeLessThan(4000);
    const m = readSummary(out);
    expect(m.mcprun.exitCode).toBe(105);
    expect(m.mcprun.aborted).toMatch(/stopped from outside/);
    expect(m.metrics.http_reqs.values.count).toBeGreaterThanOrEqual(20);
    const sentAfter = s.requests.filter((r) => r.at > sentAt + 1500).length;
    expect(sentAfter, 'no load once stopped').toBe(0);
    expect(stderr).toMatch(/the process that started it \(npm\/npx, pid \d+\) is gone; stopping as on SIGTERM/);
  });
});

describe('Ctrl-C before the CLI has loaded', () => {
  test('exit 105 with a message, and no temporary folder left', async () => {
    const tmp = join(root, 'tmp');
    mkdirSync(tmp);
    const run = runCli(['test/fixtures/reliability/long-run.ts', '-e', 'TARGET=http://127.0.0.1:9', '--no-progress'], { env: { TMPDIR: tmp } });
    // As soon as the launcher has started bundling (its temporary folder appears), long before the CLI has loaded.
    await until(() => readdirSync(tmp).length > 0, 5000, 'the launcher starts bundling');
    run.kill('SIGINT');
    const r = await run;
    expect(r.code, r.stderr).toBe(105);
    expect(r.stderr).toContain('SIGINT: stopping');
    expect(r.stderr).toMatch(/stopped from outside while loading .*; no load was sent/);
    expect(existsSync(tmp) && readdirSync(tmp)).toEqual([]);
  });
});
