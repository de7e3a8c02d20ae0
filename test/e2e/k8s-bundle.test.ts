/**
 * What the ConfigMap carries runs as a pod runs it: the scenario bundled for Kubernetes (bare
 * `mcprun` import, no require() banner, inline source map), rendered into the ConfigMap, written
 * to a folder laid out like the pod's (/scenario read-only input, /results working folder), then
 * `mcprun <container args>` with the real CLI against a counting server on 127.0.0.1.
 *
 * The container's `--instances N --coordinator HOST:PORT` are left out here (one pod alone); the
 * three pods together are test/e2e/k8s-command.test.ts. This pins the bundle, the arguments and the folders.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { bundleForPod } from '../../runtime/bundle/pod-bundle.js';
import { renderRun } from '../../runtime/k8s/manifests.js';
import { SCENARIO_DIR } from '../../runtime/k8s/run-input.js';
import { serverForTest } from '../support/http-server.js';
import { ROOT, runCli } from '../support/run-cli.js';

const FIXTURE = join(ROOT, 'test/fixtures/k8s/scenario.ts');
const pod = mkdtempSync(join(tmpdir(), 'mcprun-k8s-e2e-'));
afterAll(() => rmSync(pod, { recursive: true, force: true }));

/** Lays the ConfigMap out as the kubelet mounts it; returns the container's args for this folder. */
async function podArgs(name: string, runArgs: string[]): Promise<{ args: string[]; cwd: string }> {
  const { objects } = renderRun({
    name, instances: 3, image: 'mcprun:test', cpu: '1', memory: '1Gi', port: 6565,
    scenario: { file: FIXTURE, bundle: await bundleForPod(FIXTURE) },
    runArgs, token: { secretName: 'unused' }, activeDeadlineSeconds: 600,
  });
  const root = join(pod, name);
  for (const [key, text] of Object.entries(objects.configMap!.data)) {
    mkdirSync(join(root, 'scenario'), { recursive: true });
    writeFileSync(join(root, 'scenario', key), text, { mode: 0o444 });
  }
  mkdirSync(join(root, 'results'));
  const args = [...objects.job.spec.template.spec.containers[0].args];
  for (const flag of ['--instances', '--coordinator']) args.splice(args.indexOf(flag), 2);
  return { args: args.map((a) => a.replace(`${SCENARIO_DIR}/`, `${join(root, 'scenario')}/`)), cwd: join(root, 'results') };
}

describe('the bundle in the ConfigMap', () => {
  test('runs under mcprun run and makes exactly the planned requests; relative outputs land in the working folder', async () => {
    const s = await serverForTest();
    const { args, cwd } = await podArgs('counts', ['-e', `TARGET=${s.url}`, '--summary-export', 'summary.json', '--no-progress']);
    expect(args).toContain('--workers');
    const r = await runCli(args, { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(s.requests.length).toBe(40);
    expect(s.requests.every((q) => q.url === '/k8s')).toBe(true);
    const summary = JSON.parse(readFileSync(join(cwd, 'summary.json'), 'utf8'));
    expect(summary.metrics.http_reqs.values.count).toBe(40);
  });

  test('keeps its source map: an error still names scenario.ts and the line', async () => {
    const s = await serverForTest();
    const { args, cwd } = await podArgs('map', ['-e', `TARGET=${s.url}`, '-e', 'BOOM=1', '--no-progress']);
    const r = await runCli(args, { cwd });
    expect(r.code).toBe(107);
    expect(r.stderr).toMatch(/boom in setup \(at [^)]*scenario\.ts:10:\d+\)/);
    expect(s.requests.length).toBe(0);
  });
});
