/**
 * The objects `mcprun k8s` renders: valid against the Kubernetes 1.33 OpenAPI schema
 * (kubernetes-models' validators), no key the API does not have (./api-keys.ts), the shape pinned
 * by golden files in test/fixtures/k8s/, and bad input refused with 104 before any object exists.
 */
import { ConfigMap as ConfigMapModel } from 'kubernetes-models/v1/ConfigMap';
import { Secret as SecretModel } from 'kubernetes-models/v1/Secret';
import { Service as ServiceModel } from 'kubernetes-models/v1/Service';
import { Job as JobModel } from 'kubernetes-models/batch/v1/Job';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { McprunError } from '../../../runtime/errors.js';
import { renderRun, RUN_AS_UID, type RenderedRun } from '../../../runtime/k8s/manifests.js';
import type { RunObjects } from '../../../runtime/k8s/objects.js';
import { CONFIGMAP_MAX_BYTES } from '../../../runtime/k8s/scenario-configmap.js';
import { defaultRunName, type K8sRunInput } from '../../../runtime/k8s/run-input.js';
import { unknownKeys, type Kind } from './api-keys.js';

/** A small bundle as the k8s bundler will write it: bare `mcprun` import, inline source map. */
export const BUNDLE = [
  '// load/api.ts',
  'import { check, http } from "mcprun";',
  'var options = { scenarios: { hold: { executor: "constant-vus", vus: 100, duration: "10m" } } };',
  'async function api_default() {',
  '  const res = await http.get(`${process.env.TARGET}/health`);',
  '  check(res, { "status is 200": (r) => r.status === 200 });',
  '}',
  'export { api_default as default, options };',
  '//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbImxvYWQvYXBpLnRzIl0sIm1hcHBpbmdzIjoiQUFBQSJ9',
  '',
].join('\n');
const TOKEN = 'test-token-0123456789-abcdefghijklmnopqrstu';

export function goldenInput(over: Partial<K8sRunInput> = {}): K8sRunInput {
  return {
    name: 'api-load',
    namespace: 'load-tests',
    instances: 4,
    image: 'registry.example.com/mcprun:0.1.0',
    cpu: '2',
    memory: '3Gi',
    port: 6565,
    scenario: { file: 'load/api.ts', bundle: BUNDLE },
    runArgs: ['-e', 'TARGET=http://api.staging:8080', '--summary-export', 'summary.json', '--out', 'json=timeseries.ndjson'],
    token: { value: TOKEN },
    activeDeadlineSeconds: 1260,
    ...over,
  };
}

function validateAll(objects: RunObjects): void {
  if (objects.secret) new SecretModel(objects.secret).validate();
  if (objects.configMap) new ConfigMapModel(objects.configMap).validate();
  new ServiceModel(objects.service).validate();
  new JobModel(objects.job).validate();
}

function keysNotInApi(objects: RunObjects): string[] {
  const pairs: Array<[Kind, unknown]> = [['Secret', objects.secret], ['ConfigMap', objects.configMap], ['Service', objects.service], ['Job', objects.job]];
  return pairs.filter(([, o]) => o !== undefined).flatMap(([kind, o]) => unknownKeys(kind, o));
}

function refusal(input: K8sRunInput): McprunError {
  try {
    renderRun(input);
  } catch (err) {
    if (McprunError.is(err)) return err;
    throw err;
  }
  throw new Error('renderRun accepted the input');
}

describe('the rendered objects', () => {
  const generated = renderRun(goldenInput());
  const existing = renderRun(goldenInput({ name: 'baked', namespace: undefined, instances: 2, cpu: undefined, memory: undefined, runArgs: [], scenario: { imagePath: '/app/scenario.ts' }, token: { secretName: 'shared-run-token', key: 'mcprun' } }));

  test('golden files pin the shape', async () => {
    await expect(generated.yaml).toMatchFileSnapshot('../../fixtures/k8s/run.yaml');
    await expect(generated.secretYaml).toMatchFileSnapshot('../../fixtures/k8s/run-secret.yaml');
    await expect(existing.yaml).toMatchFileSnapshot('../../fixtures/k8s/scenario-in-image.yaml');
  });

  test.each([['generated token', generated], ['existing Secret, scenario in the image', existing]] as Array<[string, RenderedRun]>)('%s: valid against the Kubernetes schema, no unknown key', (_name, r) => {
    expect(() => validateAll(r.objects)).not.toThrow();
    expect(keysNotInApi(r.objects)).toEqual([]);
  });

  test('the YAML is the objects, byte for byte (the bundle included)', () => {
    const docs = (r: RenderedRun) => parseAllDocuments(r.yaml).map((d) => d.toJS());
    expect(docs(generated)).toEqual([generated.objects.configMap, generated.objects.service, generated.objects.job]);
    expect(generated.objects.configMap!.data['api.mjs']).toBe(BUNDLE);
    expect(parseAllDocuments(generated.secretYaml!).map((d) => d.toJS())).toEqual([generated.objects.secret]);
    expect(docs(existing)).toEqual([existing.objects.service, existing.objects.job]);
  });

  test('any valid input renders objects the schema takes, with no unknown key, that the YAML carries exactly (property)', () => {
    const input = fc.record({
      instances: fc.integer({ min: 1, max: 2000 }),
      cpu: fc.option(fc.constantFrom('1', '0.5', '250m', '16'), { nil: undefined }),
      memory: fc.option(fc.constantFrom('64Mi', '3Gi', '1.5G'), { nil: undefined }),
      port: fc.integer({ min: 1, max: 65535 }),
      namespace: fc.option(fc.constantFrom('default', 'load-tests'), { nil: undefined }),
      scenario: fc.oneof(fc.constant({ imagePath: '/app/s.ts' }), fc.string({ maxLength: 200 }).map((b) => ({ file: 's.ts', bundle: b }))),
      token: fc.oneof(fc.constant({ value: TOKEN }), fc.constant({ secretName: 'mine', key: 'k' })),
      runArgs: fc.subarray(['-e', 'A=1', '--workers', '3', '--out', 'csv=ts.csv']),
    });
    fc.assert(
      fc.property(input, (over) => {
        const r = renderRun(goldenInput(over as Partial<K8sRunInput>));
        validateAll(r.objects);
        expect(keysNotInApi(r.objects)).toEqual([]);
        expect([r.objects.job.spec.completions, r.objects.job.spec.parallelism]).toEqual([over.instances, over.instances]);
        const docs = parseAllDocuments(r.yaml).map((d) => d.toJS());
        expect(docs).toEqual([r.objects.configMap, r.objects.service, r.objects.job].filter(Boolean));
      }),
      { numRuns: 60 },
    );
  });

  test('the same input renders the same text', () => {
    expect(renderRun(goldenInput()).yaml).toBe(generated.yaml);
  });

  test('an awkward bundle survives the YAML: blank and indented first lines, tabs, trailing spaces, ---, non-ASCII, no final newline', () => {
    const bundle = '\n    const a = 1;   \n\tconst b = "---";\n---\n# not a comment\nconst c = "é 日本 🚀"; // ...\n... \r\nexport default () => a + b + c;';
    const r = renderRun(goldenInput({ scenario: { file: 'x.ts', bundle } }));
    expect(parseAllDocuments(r.yaml)[0].toJS().data['x.mjs']).toBe(bundle);
  });
});

describe('the run contract in the objects', () => {
  test.each([1, 3, 17])('%i instances: one Indexed Job of N pods that all dial pod 0, no retries', (n) => {
    const { service, job } = renderRun(goldenInput({ instances: n })).objects;
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: n, parallelism: n, backoffLimitPerIndex: 0 });
    expect(job.spec).not.toHaveProperty('backoffLimit');
    expect(job.spec).not.toHaveProperty('maxFailedIndexes');
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(service.spec.clusterIP).toBe('None');
    expect(pod.subdomain).toBe(service.metadata.name);
    expect(service.spec.selector).toEqual(job.spec.template.metadata.labels);
    const args = pod.containers[0].args;
    expect(args.slice(0, 6)).toEqual(['run', '/scenario/api.mjs', '--instances', String(n), '--coordinator', `${job.metadata.name}-0.${service.metadata.name}:6565`]);
    expect(service.spec.ports[0].port).toBe(pod.containers[0].ports[0].containerPort);
  });

  test('the token reaches the pods from the Secret and never appears in the printable YAML', () => {
    const r = renderRun(goldenInput());
    expect(r.yaml).not.toContain(TOKEN);
    expect(r.secretYaml).toContain(TOKEN);
    expect(r.objects.job.spec.template.spec.containers[0].env).toEqual([{ name: 'MCPRUN_TOKEN', valueFrom: { secretKeyRef: { name: r.objects.secret!.metadata.name, key: 'token' } } }]);
    const existing = renderRun(goldenInput({ token: { secretName: 'mine' } }));
    expect(existing.objects.secret).toBeUndefined();
    expect(existing.secretYaml).toBeUndefined();
    expect(existing.objects.job.spec.template.spec.containers[0].env[0].valueFrom).toEqual({ secretKeyRef: { name: 'mine', key: 'token' } });
  });

  test('--apply: the pods are told to end pod 0\'s log with its results; printed objects are not', () => {
    const applied = renderRun(goldenInput({ logResults: true })).objects;
    validateAll(applied);
    expect(keysNotInApi(applied)).toEqual([]);
    expect(applied.job.spec.template.spec.containers[0].env).toContainEqual({ name: 'MCPRUN_LOG_RESULTS', value: '1' });
    expect(renderRun(goldenInput()).objects.job.spec.template.spec.containers[0].env.map((e) => e.name)).toEqual(['MCPRUN_TOKEN']);
  });

  test('non-root, read-only root filesystem, and every folder mcprun writes is an emptyDir', () => {
    const pod = renderRun(goldenInput()).objects.job.spec.template.spec;
    const c = pod.containers[0];
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: RUN_AS_UID });
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    const emptyDirs = new Set(pod.volumes.filter((v) => v.emptyDir).map((v) => v.name));
    const writable = c.volumeMounts.filter((m) => emptyDirs.has(m.name)).map((m) => m.mountPath);
    // /results: the working folder (reports, --out); /tmp: the bundle mcprun builds at start.
    expect(writable.sort()).toEqual(['/results', '/tmp']);
    expect(c.workingDir).toBe('/results');
  });

  test.each([
    ['2', [], ['--workers', '2']],
    ['1500m', [], ['--workers', '2']],
    ['250m', [], ['--workers', '1']],
    ['8', ['-w', '3'], []],
    ['8', ['--workers=3'], []],
  ])('--cpu %s with %j sets %j: Node counts the node\'s CPUs, not the pod\'s', (cpu, runArgs, expected) => {
    const args = renderRun(goldenInput({ cpu, runArgs })).objects.job.spec.template.spec.containers[0].args;
    expect(args.slice(6, 6 + expected.length)).toEqual(expected);
    expect(args.filter((a) => a === '--workers')).toHaveLength(expected.length ? 1 : 0);
  });

  test('CPU is requested, not limited; memory is requested and limited alike', () => {
    expect(renderRun(goldenInput({ cpu: '1500m', memory: '2Gi' })).objects.job.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '1500m', memory: '2Gi' }, limits: { memory: '2Gi' } });
    expect(renderRun(goldenInput({ cpu: undefined, memory: undefined })).objects.job.spec.template.spec.containers[0]).not.toHaveProperty('resources');
  });
});

describe('the validators can fail', () => {
  const { job, service } = renderRun(goldenInput()).objects;
  test.each([
    ['a wrong enum', { ...job, spec: { ...job.spec, completionMode: 'Indexd' } }],
    ['a wrong type', { ...job, spec: { ...job.spec, completions: '4' } }],
    ['a missing required field', { ...job, spec: { ...job.spec, template: { ...job.spec.template, spec: { ...job.spec.template.spec, containers: [{ ...job.spec.template.spec.containers[0], name: undefined }] } } } }],
  ])('the Job validator rejects %s', (_what, bad) => {
    expect(() => new JobModel(bad as never).validate()).toThrow();
  });

  test('the Service validator rejects a protocol that is not TCP, UDP or SCTP', () => {
    expect(() => new ServiceModel({ ...service, spec: { ...service.spec, ports: [{ ...service.spec.ports[0], protocol: 'HTTP' as 'TCP' }] } }).validate()).toThrow();
  });

  test('a misspelt key passes the validator, and the key walk catches it', () => {
    const typo = { ...job, spec: { ...job.spec, template: { ...job.spec.template, spec: { ...job.spec.template.spec, restartPolicyy: 'Never' } } } };
    expect(() => new JobModel(typo as never).validate()).not.toThrow();
    expect(unknownKeys('Job', typo)).toEqual(['Job.spec.template.spec.restartPolicyy']);
  });
});

describe('refused before any object exists (104)', () => {
  test('a bundle over the ConfigMap limit says by how much and what to do', () => {
    const map = '//# sourceMappingURL=data:application/json;base64,' + 'A'.repeat(300_000) + '\n';
    const bundle = 'x'.repeat(CONFIGMAP_MAX_BYTES - map.length + 4096) + map;
    const err = refusal(goldenInput({ scenario: { file: 'load/api.ts', bundle } }));
    expect(err.code).toBe('MCPRUN_BUNDLE_TOO_LARGE');
    expect(err.exitCode).toBe(104);
    expect(err.userMessage).toMatchInlineSnapshot(`"the bundled scenario load/api.ts is 1028.0 KiB (1052672 bytes), 4.0 KiB over the 1 MiB (1048576 bytes) a Kubernetes ConfigMap can carry; its inline source map is 293.0 KiB of it. Import less (a lighter package, or the submodule you use rather than a whole library), or build an image with the scenario in it (docs/kubernetes.md, "The scenario in the image")."`);
  });

  test('the limit is in UTF-8 bytes, and exactly 1 MiB fits', () => {
    expect(() => renderRun(goldenInput({ scenario: { file: 'a.ts', bundle: 'x'.repeat(CONFIGMAP_MAX_BYTES) } }))).not.toThrow();
    expect(refusal(goldenInput({ scenario: { file: 'a.ts', bundle: 'x'.repeat(CONFIGMAP_MAX_BYTES + 1) } })).code).toBe('MCPRUN_BUNDLE_TOO_LARGE');
    // 600,000 characters, 1,200,000 bytes.
    expect(refusal(goldenInput({ scenario: { file: 'a.ts', bundle: 'é'.repeat(600_000) } })).message).toContain('(1200000 bytes)');
  });

  test('a bundle built for this machine (file:// import of the runtime, require banner) is a bug, not a user error', () => {
    const local = "import { createRequire as __mcprunCreateRequire } from 'node:module'; const require = __mcprunCreateRequire(import.meta.url);\nimport { http } from \"file:///usr/lib/node_modules/mcprun/dist/mcprun-runtime.mjs\";\n";
    const err = refusal(goldenInput({ scenario: { file: 'a.ts', bundle: local } }));
    expect(err.code).toBe('MCPRUN_INTERNAL');
  });

  test.each([
    [{ name: 'API-Load' }, /invalid --name "API-Load".*For example --name api-load/],
    [{ name: '9lives' }, /invalid --name "9lives"/],
    [{ name: 'a'.repeat(62), instances: 10 }, /at most 61 characters with 10 instances/],
    [{ namespace: 'Load_Tests' }, /invalid --namespace "Load_Tests"/],
    [{ instances: 0 }, /invalid --instances 0: expected a whole number from 1/],
    [{ instances: 2.5 }, /invalid --instances 2.5/],
    [{ instances: 100_001 }, /invalid --instances 100001: expected a whole number from 1 to 100000/],
    [{ activeDeadlineSeconds: 0 }, /invalid activeDeadlineSeconds 0/],
    [{ port: 0 }, /invalid --port 0: expected a whole number from 1 to 65535/],
    [{ image: '' }, /invalid --image ""/],
    [{ cpu: '2cores' }, /invalid --cpu "2cores": expected CPU cores .* --cpu 1500m/],
    [{ cpu: '2Gi' }, /invalid --cpu "2Gi"/],
    [{ memory: '512' }, /--memory "512" is 512 bytes.*--memory 512Mi/],
    [{ memory: '2GB' }, /invalid --memory "2GB".*--memory 2Gi/],
    [{ token: { secretName: 'My Secret' } }, /invalid token Secret name "My Secret"/],
    [{ runArgs: ['--instances', '3'] }, /--instances cannot be passed to the pods/],
    [{ runArgs: ['--coordinator=x:1'] }, /--coordinator cannot be passed to the pods/],
    [{ runArgs: ['--summary-export', '/data/s.json'] }, /--summary-export \/data\/s.json writes to \/data\/s.json, which a pod cannot write.*relative path/],
    [{ runArgs: ['-o', 'json=/var/ts.ndjson,raw'] }, /-o json=\/var\/ts.ndjson,raw writes to \/var\/ts.ndjson/],
    [{ runArgs: ['--report-dir=/results/../etc'] }, /writes to \/results\/..\/etc/],
  ] as Array<[Partial<K8sRunInput>, RegExp]>)('%j', (over, message) => {
    const err = refusal(goldenInput(over));
    expect(err.exitCode).toBe(104);
    expect(err.userMessage).toMatch(message);
  });

  test.each([['--summary-export', 'summary.json'], ['--summary-export', '/results/s.json'], ['--out', 'csv=/tmp/ts.csv'], ['--report-dir', '/results']])('%s %s is written where a pod can write', (flag, value) => {
    expect(() => renderRun(goldenInput({ runArgs: [flag, value] }))).not.toThrow();
  });
});

test('the default run name: unique per second, a valid name for the pods of a large run', () => {
  const at = new Date(Date.UTC(2026, 11, 3, 14, 5, 9));
  expect(defaultRunName('load/API test.ts', at)).toBe('mcprun-api-test-20261203-140509');
  expect(defaultRunName('mcprun.ts', at)).toBe('mcprun-run-20261203-140509');
  const long = defaultRunName(`${'x'.repeat(80)}.ts`, at);
  expect(() => renderRun(goldenInput({ name: long, instances: 10_000 }))).not.toThrow();
});
