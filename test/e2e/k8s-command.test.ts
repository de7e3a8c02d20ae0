/**
 * `mcprun k8s` as a user runs it (the built CLI, a real process): its objects validate against the
 * Kubernetes 1.33 OpenAPI schema (kubernetes-models' validators) with no key the API lacks, a
 * golden file pins the output, the ConfigMap carries the pod bundle, the deadline comes from the
 * plan; and the Job's pods, played by three processes on 127.0.0.1 from the container's own
 * arguments (the coordinator's DNS name swapped for 127.0.0.1, MCPRUN_TOKEN as the Secret gives
 * it, JOB_COMPLETION_INDEX as the Job sets it), make exactly the planned requests.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigMap as ConfigMapModel } from 'kubernetes-models/v1/ConfigMap';
import { Service as ServiceModel } from 'kubernetes-models/v1/Service';
import { Job as JobModel } from 'kubernetes-models/batch/v1/Job';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { ConfigMap, Job, Service } from '../../runtime/k8s/objects.js';
import { SCENARIO_DIR } from '../../runtime/k8s/run-input.js';
import { unknownKeys } from '../unit/k8s/api-keys.js';
import { serverForTest } from '../support/http-server.js';
import { freePort } from '../support/instances.js';
import { ROOT, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const FIXTURE = 'test/fixtures/k8s/scenario.ts';
const ARGS = ['k8s', FIXTURE, '--instances', '3', '--image', 'registry.example.com/mcprun:0.1.0', '--name', 'api-load', '--namespace', 'load-tests', '--cpu', '1', '--memory', '1Gi'];

async function render(extra: string[] = []) {
  const r = await runCli([...ARGS, '--', '-e', 'TARGET=http://api.staging:8080', '--summary-export', 'summary.json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
  return { r, configMap: docs[0] as ConfigMap, service: docs[1] as Service, job: docs[2] as Job, kinds: docs.map((d) => d.kind) };
}

describe('mcprun k8s', () => {
  test('prints a ConfigMap, a headless Service and an Indexed Job that the Kubernetes schema accepts', async () => {
    const { r, configMap, service, job, kinds } = await render();
    expect(kinds).toEqual(['ConfigMap', 'Service', 'Job']);
    new ConfigMapModel(configMap).validate();
    new ServiceModel(service).validate();
    new JobModel(job).validate();
    expect(unknownKeys('ConfigMap', configMap)).toEqual([]);
    expect(unknownKeys('Service', service)).toEqual([]);
    expect(unknownKeys('Job', job)).toEqual([]);
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 0 });
    // shared-iterations' maxDuration (10m) + gracefulStop (30s) + setup and teardown timeouts (60s each) + 600s.
    expect(job.spec.activeDeadlineSeconds).toBe(600 + 30 + 60 + 60 + 600);
    expect(job.spec.template.spec.containers[0].args).toEqual([
      'run', `${SCENARIO_DIR}/scenario.mjs`, '--instances', '3', '--coordinator', 'api-load-0.api-load:6565', '--workers', '1',
      '-e', 'TARGET=http://api.staging:8080', '--summary-export', 'summary.json',
    ]);
    expect(job.spec.template.spec.containers[0].env).toEqual([{ name: 'MCPRUN_TOKEN', valueFrom: { secretKeyRef: { name: 'api-load-token', key: 'token' } } }]);
    // The bundle keeps `mcprun` a bare import and its source map.
    expect(configMap.data['scenario.mjs']).toMatch(/from "mcprun"/);
    expect(configMap.data['scenario.mjs']).toMatch(/sourceMappingURL=data:application\/json;base64,/);
    await expect(r.stdout).toMatchFileSnapshot('../fixtures/k8s/command.yaml');
  });

  test("the Job's pods, as three processes: exactly the planned requests, every pod exits 0, the summary on pod 0", async () => {
    const s = await serverForTest();
    const r = await runCli([...ARGS, '--', '-e', `TARGET=${s.url}`, '--summary-export', 'summary.json']);
    expect(r.code, r.stderr).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    const configMap = docs[0] as ConfigMap;
    const job = docs[2] as Job;
    const root = tempDir();
    mkdirSync(join(root, 'scenario'));
    for (const [key, text] of Object.entries(configMap.data)) writeFileSync(join(root, 'scenario', key), text, { mode: 0o444 });
    const port = await freePort();
    const args = job.spec.template.spec.containers[0].args.map((a) => a.replace(`${SCENARIO_DIR}/`, `${join(root, 'scenario')}/`).replace('api-load-0.api-load:6565', `127.0.0.1:${port}`));
    const pods = [1, 2, 0].map((i) => {
      const cwd = join(root, `results-${i}`);
      mkdirSync(cwd);
      return { i, cwd, run: runCli([...args, '--no-progress'], { cwd, env: { JOB_COMPLETION_INDEX: String(i), MCPRUN_TOKEN: 'a-token-from-the-secret-0123456789' } }) };
    });
    for (const p of pods) {
      const res = await p.run;
      expect(res.code, res.stderr).toBe(0);
    }
    expect(s.requests.filter((q) => q.url === '/k8s').length).toBe(40);
    const summary = JSON.parse(readFileSync(join(root, 'results-0', 'summary.json'), 'utf8'));
    expect(summary.metrics.http_reqs.values.count).toBe(40);
    expect(summary.mcprun.workers).toBe(3);
  });

  test('bad input is refused before anything is printed (104)', async () => {
    const noImage = await runCli(['k8s', FIXTURE, '--instances', '3']);
    expect(noImage.code).toBe(104);
    expect(noImage.stdout).toBe('');
    expect(noImage.stderr).toMatch(/mcprun k8s needs --image IMAGE/);
    const setByJob = await runCli([...ARGS, '--', '--instances', '2']);
    expect(setByJob.code).toBe(104);
    expect(setByJob.stderr).toMatch(/--instances cannot be passed to the pods/);
    const badOption = await runCli([...ARGS, '--vus', '3']);
    expect(badOption.code).toBe(104);
    expect(badOption.stderr).toMatch(/does not take --vus/);
    const help = await runCli(['k8s', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: mcprun k8s/);
    expect(ROOT).toBeTruthy();
  });
});
