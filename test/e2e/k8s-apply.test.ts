/**
 * `mcprun k8s --apply` as a user runs it (the built CLI, a real process), against a stand-in
 * kubectl (test/fixtures/k8s/kubectl.mjs) that plays the cluster with local processes: the Job's
 * pods are `mcprun run` processes from the Job's own command, so what is measured is a real run
 * over three instances. The counting server is the truth for the requests; the files the local
 * side writes are read back; the fake cluster's records say what was applied, where, and what was
 * left behind.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { startCountingServer } from '../support/http-server.js';
import { alive, commandLine, until } from '../support/processes.js';
import { ROOT, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const SCENARIO = join(ROOT, 'test/fixtures/k8s/apply-scenario.ts');
const KUBECTL = join(ROOT, 'test/fixtures/k8s/kubectl.mjs');
const clusters: string[] = [];

function fakeCluster() {
  const dir = tempDir('k8s-apply-');
  mkdirSync(join(dir, 'cluster'));
  clusters.push(join(dir, 'cluster'));
  return { dir, cluster: join(dir, 'cluster') };
}

const calls = (cluster: string) => readFileSync(join(cluster, 'calls.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { namespace: string; args: string[] });
const objects = (cluster: string, ns: string, kind: string) => (existsSync(join(cluster, 'ns', ns, kind)) ? readdirSync(join(cluster, 'ns', ns, kind)).filter((f) => f.endsWith('.json')) : []);
const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

/** A record the fake cluster may delete between the listing and the read (a deleted Job's pods go with it). */
const readRecord = (f: string): Record<string, unknown> => {
  try {
    return readJson(f);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
};

/** The processes the fake cluster started (pods and the Job's supervisor), from its records. */
function clusterPids(cluster: string): number[] {
  const pids: unknown[] = [];
  for (const ns of existsSync(join(cluster, 'ns')) ? readdirSync(join(cluster, 'ns')) : []) {
    for (const f of objects(cluster, ns, 'pod')) pids.push(readRecord(join(cluster, 'ns', ns, 'pod', f)).pid);
    for (const f of objects(cluster, ns, 'job')) pids.push(readRecord(join(cluster, 'ns', ns, 'job', f)).supervisorPid);
  }
  return pids.filter((p): p is number => typeof p === 'number');
}

afterAll(() => {
  // A failed test may leave pods running: end those this file's fake clusters started, by PID.
  for (const c of clusters) for (const pid of clusterPids(c)) if (alive(pid) && commandLine(pid).includes(ROOT)) process.kill(pid, 'SIGKILL');
});

const BASE = ['k8s', SCENARIO, '--instances', '3', '--image', 'registry.example.com/mcprun:0.1.0'];

/** The counting server, closed when its test ends (the context's hook: the tests run concurrently). */
async function server(onTestFinished: (fn: () => Promise<void>) => void) {
  const s = await startCountingServer();
  onTestFinished(() => s.close());
  return s;
}

// Concurrently within a block: each test has its own fake cluster and server, and most of their
// time is spent waiting on processes. At most three runs of three pods at a time, for a loaded machine.
describe.concurrent('mcprun k8s --apply', () => {
  test('three pods: exactly the planned requests, pod 0 followed, its reports written locally, exit 0', async ({ onTestFinished }) => {
    const s = await server(onTestFinished);
    const { dir, cluster } = fakeCluster();
    // kubectl found on the PATH.
    mkdirSync(join(dir, 'bin'));
    symlinkSync(KUBECTL, join(dir, 'bin', 'kubectl'));
    const r = await runCli([...BASE, '--name', 'api-load', '--namespace', 'load-tests', '--apply', '--', '-e', `TARGET=${s.url}`, '--summary-export', 'summary.json', '--report-dir', 'reports'], {
      cwd: dir,
      env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, MCPRUN_FAKE_CLUSTER: cluster },
    });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(s.requests.filter((q) => q.url === '/k8s').length).toBe(40);
    // pod 0's log on stdout (the summary), the results block taken out of it.
    expect(r.stdout).toMatch(/RESULT PASS/);
    expect(r.stdout).toMatch(/instance 2 joined/);
    expect(r.stdout).not.toMatch(/mcprun-results/);
    // Its /results in ./mcprun-results/<name>/: the summary export of the whole run and the report folder.
    const local = join(dir, 'mcprun-results', 'api-load');
    const summary = readJson(join(local, 'summary.json'));
    expect(summary.metrics.http_reqs.values.count).toBe(40);
    expect(summary.mcprun.exitCode).toBe(0);
    const [reportFolder] = readdirSync(join(local, 'reports'));
    expect(readdirSync(join(local, 'reports', reportFolder))).toEqual(expect.arrayContaining(['report.html', 'report.md', 'summary.json']));
    expect(r.stderr).toMatch(/pod 0's results: \d+ files in .*api-load/);
    // Everything in the namespace asked for, applied server-side from standard input.
    const made = calls(cluster);
    expect(made.every((c) => c.namespace === 'load-tests')).toBe(true);
    expect(made[0].args).toEqual(['apply', '--server-side', '--field-manager=mcprun', '-f', '-']);
    // Pods ran with the token of the Secret mcprun made; it, the ConfigMap and the Service are gone; the Job stays for its TTL.
    expect(objects(cluster, 'load-tests', 'secret')).toEqual([]);
    expect(objects(cluster, 'load-tests', 'configmap')).toEqual([]);
    expect(objects(cluster, 'load-tests', 'service')).toEqual([]);
    expect(objects(cluster, 'load-tests', 'job')).toEqual(['api-load.json']);
    await until(() => clusterPids(cluster).every((p) => !alive(p)), 20_000, 'every pod and the supervisor ended');
    for (const f of objects(cluster, 'load-tests', 'pod')) expect(readJson(join(cluster, 'ns', 'load-tests', 'pod', f)).status.containerStatuses[0].state.terminated.exitCode).toBe(0);
  });

  test('a threshold each pod passes alone but the merged results fail: 99 locally', async ({ onTestFinished }) => {
    const s = await server(onTestFinished);
    const { dir, cluster } = fakeCluster();
    // kubectl from MCPRUN_KUBECTL; 40 requests over 3 pods is at most 14 each, under 30. The
    // first `logs -f` breaks mid-line after 100 bytes: followed again, nothing shown twice.
    const r = await runCli([...BASE, '--name', 'merged-fail', '--apply', '--report-dir', join(dir, 'out'), '--', '-e', `TARGET=${s.url}`, '-e', 'MAX_REQS=30', '--summary-export', 'summary.json'], {
      env: { MCPRUN_KUBECTL: KUBECTL, MCPRUN_FAKE_CLUSTER: cluster, MCPRUN_FAKE_LOGS_DROP_AFTER: '100' },
    });
    expect(r.code, r.stderr + r.stdout).toBe(99);
    expect(r.stderr).toMatch(/following pod 0's log stopped \(kubectl exited 1\); following it again/);
    const podLog = readFileSync(join(cluster, 'ns', 'default', 'pods', 'merged-fail-0-fake0', 'log'), 'utf8');
    expect(podLog.length).toBeGreaterThan(100);
    expect(r.stdout).toBe(podLog.slice(0, podLog.indexOf('mcprun-results-begin')) + podLog.slice(podLog.indexOf('mcprun-results-end') + 'mcprun-results-end\n'.length));
    expect(r.stdout).toMatch(/RESULT FAIL/);
    expect(s.requests.filter((q) => q.url === '/k8s').length).toBe(40);
    const summary = readJson(join(dir, 'out', 'merged-fail', 'summary.json'));
    expect(summary.metrics.http_reqs.values.count).toBe(40);
    expect(summary.metrics.http_reqs.thresholds['count<30'].ok).toBe(false);
    expect(summary.mcprun.exitCode).toBe(99);
    // Every pod exited 99, as every instance does.
    for (const f of objects(cluster, 'default', 'pod')) expect(readJson(join(cluster, 'ns', 'default', 'pod', f)).status.containerStatuses[0].state.terminated.exitCode).toBe(99);
  });

  test('no kubectl: a clear error, 104, nothing read, applied or run', async ({ onTestFinished }) => {
    const s = await server(onTestFinished);
    const { dir } = fakeCluster();
    const empty = join(dir, 'empty-bin');
    mkdirSync(empty);
    const args = [...BASE, '--apply', '--', '-e', `TARGET=${s.url}`];
    const onPath = await runCli(args, { env: { PATH: empty, MCPRUN_KUBECTL: '' } });
    expect(onPath.code).toBe(104);
    expect(onPath.stdout).toBe('');
    expect(onPath.stderr).toMatch(/mcprun k8s --apply runs kubectl, but there is no kubectl on the PATH; nothing was applied/);
    expect(onPath.stderr).toMatch(/--kubectl PATH or MCPRUN_KUBECTL/);
    const given = await runCli([...BASE, '--apply', '--kubectl', join(dir, 'no-such-kubectl'), '--', '-e', `TARGET=${s.url}`]);
    expect(given.code).toBe(104);
    expect(given.stderr).toMatch(/--kubectl .*no-such-kubectl is not an executable file/);
    expect(s.requests.length).toBe(0);
  });

  test('kubectl apply refused: its message, 104, no load', async ({ onTestFinished }) => {
    const s = await server(onTestFinished);
    const { cluster } = fakeCluster();
    const r = await runCli([...BASE, '--name', 'refused', '--apply', '--kubectl', KUBECTL, '--', '-e', `TARGET=${s.url}`], {
      env: { MCPRUN_FAKE_CLUSTER: cluster, MCPRUN_FAKE_APPLY_FAIL: 'jobs.batch is forbidden: User "dev" cannot create resource "jobs"' },
    });
    expect(r.code).toBe(104);
    expect(r.stderr).toMatch(/kubectl apply did not take the objects of run refused: Error from server \(Forbidden\): jobs.batch is forbidden/);
    expect(s.requests.length).toBe(0);
  });

});

describe.concurrent('mcprun k8s --apply: failures and stops', () => {
  test('an image the cluster cannot pull: said at once, 104, the Job deleted, no load', async ({ onTestFinished }) => {
    const s = await server(onTestFinished);
    const { cluster } = fakeCluster();
    const r = await runCli(['k8s', SCENARIO, '--instances', '2', '--image', 'registry.example.com/unpullable:1', '--name', 'no-image', '--apply', '--kubectl', KUBECTL, '--', '-e', `TARGET=${s.url}`], {
      env: { MCPRUN_FAKE_CLUSTER: cluster },
    });
    expect(r.code).toBe(104);
    expect(r.stderr).toMatch(/pod 0 of Job no-image \(no-image-0-fake0\) cannot start: ImagePullBackOff \(Back-off pulling image "registry.example.com\/unpullable:1"\); no load was sent/);
    expect(calls(cluster).some((c) => c.args.join(' ') === 'delete job no-image --wait=false --ignore-not-found')).toBe(true);
    await until(() => objects(cluster, 'default', 'pod').length === 0, 10_000, 'the pods gone with the Job');
    expect(s.requests.length).toBe(0);
  });

  test('pod 0 killed (SIGKILL, as an OOM kill): no result to read, a clear error, 106', async ({ onTestFinished }) => {
    const s = await server(onTestFinished);
    const { cluster } = fakeCluster();
    const run = runCli([...BASE, '--name', 'killed', '--apply', '--kubectl', KUBECTL, '--', '-e', `TARGET=${s.url}`, '-e', 'LONG=1'], { env: { MCPRUN_FAKE_CLUSTER: cluster } });
    await until(() => s.requests.length >= 10, 30_000, 'load from the pods');
    const pod0 = readJson(join(cluster, 'ns', 'default', 'pod', 'killed-0-fake0.json'));
    expect(commandLine(pod0.pid)).toContain('apply-scenario');
    process.kill(pod0.pid, 'SIGKILL');
    const r = await run;
    expect(r.code, r.stderr + r.stdout).toBe(106);
    expect(r.stderr).toMatch(/pod 0 \(killed-0-fake0\) ended with exit code 137 \(Error\), which is not one of mcprun's: it was killed/);
    await until(() => clusterPids(cluster).every((p) => !alive(p)), 20_000, 'the other pods stopped');
  });

  test('Ctrl-C with --keep: only the following stops, the run goes on in the cluster, nothing deleted', async ({ onTestFinished }) => {
    const s = await server(onTestFinished);
    const { cluster } = fakeCluster();
    const run = runCli([...BASE, '--name', 'kept', '--apply', '--keep', '--kubectl', KUBECTL, '--', '-e', `TARGET=${s.url}`, '-e', 'LONG=1'], { env: { MCPRUN_FAKE_CLUSTER: cluster } });
    await until(() => s.requests.length >= 10, 30_000, 'load from the pods');
    run.kill('SIGINT');
    const r = await run;
    expect(r.code).toBe(105);
    expect(r.stderr).toMatch(/stopped following; the run goes on in the cluster \(--keep\).*kubectl delete job kept/);
    expect(calls(cluster).some((c) => c.args[0] === 'delete')).toBe(false);
    expect(objects(cluster, 'default', 'configmap')).toEqual(['kept-scenario.json']);
    const seen = s.requests.length;
    await until(() => s.requests.length > seen + 5, 20_000, 'the load going on');
    // The user's `kubectl delete job kept` ends it.
    const del = spawnSync(process.execPath, [KUBECTL, 'delete', 'job', 'kept'], { env: { ...process.env, MCPRUN_FAKE_CLUSTER: cluster }, encoding: 'utf8' });
    expect(del.status, del.stderr).toBe(0);
    await until(() => clusterPids(cluster).every((p) => !alive(p)), 30_000, 'every pod ended');
  });

  test('Ctrl-C: the Job is deleted, pod 0 stops gracefully and its summary still comes back, 105', async ({ onTestFinished }) => {
    const s = await server(onTestFinished);
    const { dir, cluster } = fakeCluster();
    const run = runCli([...BASE, '--name', 'stopped', '--apply', '--kubectl', KUBECTL, '--report-dir', join(dir, 'out'), '--', '-e', `TARGET=${s.url}`, '-e', 'LONG=1', '--summary-export', 'summary.json'], {
      env: { MCPRUN_FAKE_CLUSTER: cluster },
    });
    await until(() => s.requests.length >= 10, 30_000, 'load from the pods');
    run.kill('SIGINT');
    const r = await run;
    expect(r.code, r.stderr + r.stdout).toBe(105);
    expect(r.stderr).toMatch(/deleting Job stopped/);
    expect(calls(cluster).some((c) => c.args.join(' ') === 'delete job stopped --wait=false --ignore-not-found')).toBe(true);
    const summary = readJson(join(dir, 'out', 'stopped', 'summary.json'));
    expect(summary.mcprun.exitCode).toBe(105);
    // The whole run's requests, from all three pods, are in pod 0's summary.
    await until(() => clusterPids(cluster).every((p) => !alive(p)), 20_000, 'every pod ended');
    expect(summary.metrics.http_reqs.values.count).toBe(s.requests.length);
  });
});
