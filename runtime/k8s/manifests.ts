/**
 * The Kubernetes objects for one run across N pods, as data and as YAML: pure (same input, same
 * text), so `mcprun k8s` is a thin call (flags -> K8sRunInput -> renderRun -> print or kubectl) and
 * golden files pin the shape. The objects, in the order they are applied:
 *
 * - Secret `<name>-token` (only when mcprun generated the token): MCPRUN_TOKEN for every pod, since
 *   the coordinator listens beyond loopback. It is rendered apart (`secretYaml`) and never part of
 *   `yaml`, so printing the manifests never prints the token; with an existing Secret nothing is.
 * - ConfigMap `<name>-scenario`: the bundled scenario, mounted read-only at /scenario.
 * - Service `<name>`, headless: gives pod `<name>-0` the DNS name `<name>-0.<name>` the others dial.
 * - Indexed Job `<name>`: N pods at once, each `mcprun run /scenario/<file> --instances N
 *   --coordinator <name>-0.<name>:PORT`, its index from JOB_COMPLETION_INDEX (set by the Job).
 *
 * YAML comes from the `yaml` package (block literals keep the bundle byte-exact and readable);
 * key order is the insertion order below, the order `kubectl get -o yaml` shows.
 */
import { stringify } from 'yaml';
import type { ConfigMap, Container, Job, Labels, ObjectMeta, PodSpec, RunObjects, Secret, Service, Volume, VolumeMount } from './objects.js';
import { checkRunArgs, setsWorkers } from './run-args.js';
import {
  DEFAULT_GRACE_SECONDS, DEFAULT_TTL_SECONDS, RESULTS_DIR, SCENARIO_DIR, TMP_DIR,
  checkImage, checkName, checkNamespace, checkToken, checkWholeNumber, type K8sRunInput,
} from './run-input.js';
import { cpuCores, memoryBytes } from './quantity.js';
import { LOG_RESULTS_ENV } from './results-block.js';
import { bundleKey, scenarioConfigMap } from './scenario-configmap.js';

export interface RenderedRun {
  objects: RunObjects;
  /** ConfigMap, Service and Job: safe to print. */
  yaml: string;
  /** The generated Secret, for kubectl's standard input only: it holds the token. Never print it. */
  secretYaml?: string;
}

/** The user the image runs as (the Dockerfile's `USER 1000:1000`, `node` in the node images). */
export const RUN_AS_UID = 1000;
const TOKEN_KEY = 'token';
const PORT_NAME = 'coordinator';

const YAML_OPTIONS = { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false } as const;

export function toYaml(objects: readonly object[]): string {
  return objects.map((o) => stringify(o, YAML_OPTIONS)).join('---\n');
}

export function renderRun(input: K8sRunInput): RenderedRun {
  checkInput(input);
  const meta = (name: string): ObjectMeta => ({
    name,
    ...(input.namespace === undefined ? {} : { namespace: input.namespace }),
    labels: labelsOf(input.name),
  });
  const secret = 'value' in input.token ? runSecret(meta(`${input.name}-token`), input.token.value) : undefined;
  const configMap = 'bundle' in input.scenario ? scenarioConfigMap(meta(`${input.name}-scenario`), input.scenario.file, input.scenario.bundle) : undefined;
  const objects: RunObjects = { ...(secret && { secret }), ...(configMap && { configMap }), service: headlessService(meta(input.name), input), job: indexedJob(meta(input.name), input, configMap) };
  return {
    objects,
    yaml: toYaml([configMap, objects.service, objects.job].filter((o) => o !== undefined)),
    ...(secret && { secretYaml: toYaml([secret]) }),
  };
}

function checkInput(input: K8sRunInput): void {
  // Without maxFailedIndexes the API takes at most 10^5 completions for a per-index backoff limit.
  checkWholeNumber('--instances', input.instances, 1, 100_000);
  checkName(input.name, input.instances);
  if (input.namespace !== undefined) checkNamespace(input.namespace);
  checkImage(input.image);
  checkWholeNumber('--port', input.port, 1, 65535);
  checkWholeNumber('activeDeadlineSeconds', input.activeDeadlineSeconds, 1);
  if (input.ttlSecondsAfterFinished !== undefined) checkWholeNumber('ttlSecondsAfterFinished', input.ttlSecondsAfterFinished, 0);
  if (input.terminationGracePeriodSeconds !== undefined) checkWholeNumber('terminationGracePeriodSeconds', input.terminationGracePeriodSeconds, 0);
  checkToken(input.token);
  checkRunArgs(input.runArgs ?? []);
}

function labelsOf(name: string): Labels {
  return { 'app.kubernetes.io/name': 'mcprun', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/managed-by': 'mcprun' };
}

/** What the Service and the spread constraint select: this run's pods, and only them. */
function podSelector(name: string): Labels {
  return { 'app.kubernetes.io/name': 'mcprun', 'app.kubernetes.io/instance': name };
}

function runSecret(metadata: ObjectMeta, token: string): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', immutable: true, stringData: { [TOKEN_KEY]: token } };
}

function headlessService(metadata: ObjectMeta, input: K8sRunInput): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: podSelector(input.name),
      ports: [{ name: PORT_NAME, port: input.port, targetPort: input.port, protocol: 'TCP' }],
    },
  };
}

function indexedJob(metadata: ObjectMeta, input: K8sRunInput, configMap: ConfigMap | undefined): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata,
    spec: {
      completionMode: 'Indexed',
      completions: input.instances,
      parallelism: input.instances,
      // No retry of any index: a replacement pod would replay its share from t=0. The per-index
      // limit, not `backoffLimit: 0`, and no `maxFailedIndexes`: with a Job-wide limit the first
      // pod to fail makes the Job controller kill all the others, the coordinator included, while
      // it writes the partial summary; and every instance exits with the run's code, so a failed
      // threshold (99) would do the same at the end of every failing run. mcprun ends the run
      // itself (a lost instance: 106 on all; the coordinator lost: the others stop).
      backoffLimitPerIndex: 0,
      activeDeadlineSeconds: input.activeDeadlineSeconds,
      ttlSecondsAfterFinished: input.ttlSecondsAfterFinished ?? DEFAULT_TTL_SECONDS,
      template: { metadata: { labels: podSelector(input.name) }, spec: podSpec(input, configMap) },
    },
  };
}

function podSpec(input: K8sRunInput, configMap: ConfigMap | undefined): PodSpec {
  const volumes: Volume[] = [
    ...(configMap ? [{ name: 'scenario', configMap: { name: configMap.metadata.name, defaultMode: 0o444 } }] : []),
    // Reports and time series (the working folder), and the bundle mcprun builds at start.
    { name: 'results', emptyDir: {} },
    { name: 'tmp', emptyDir: {} },
  ];
  return {
    subdomain: input.name,
    restartPolicy: 'Never',
    // Service links would put <SERVICE>_PORT variables in the environment (a Service named
    // `mcprun` gives MCPRUN_PORT), and the pods need no API access.
    enableServiceLinks: false,
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: input.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS,
    securityContext: { runAsNonRoot: true, runAsUser: RUN_AS_UID, runAsGroup: RUN_AS_UID, seccompProfile: { type: 'RuntimeDefault' } },
    // Load generators on one node share its CPU and network: spread them when the cluster can.
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: podSelector(input.name) } }],
    containers: [runContainer(input, configMap !== undefined)],
    volumes,
  };
}

function runContainer(input: K8sRunInput, fromConfigMap: boolean): Container {
  const scenarioPath = 'imagePath' in input.scenario ? input.scenario.imagePath : `${SCENARIO_DIR}/${bundleKey(input.scenario.file)}`;
  const mounts: VolumeMount[] = [
    ...(fromConfigMap ? [{ name: 'scenario', mountPath: SCENARIO_DIR, readOnly: true }] : []),
    { name: 'results', mountPath: RESULTS_DIR },
    { name: 'tmp', mountPath: TMP_DIR },
  ];
  const secretRef = 'value' in input.token ? { name: `${input.name}-token`, key: TOKEN_KEY } : { name: input.token.secretName, key: input.token.key ?? TOKEN_KEY };
  const resources = resourcesOf(input);
  return {
    name: 'mcprun',
    image: input.image,
    // `command` too, not only the image's ENTRYPOINT: any image with mcprun on its PATH works, and
    // mcprun is PID 1 either way, so the kubelet's SIGTERM reaches it (a graceful stop and a summary).
    command: ['mcprun'],
    args: ['run', scenarioPath, '--instances', String(input.instances), '--coordinator', `${input.name}-0.${input.name}:${input.port}`, ...workersArgs(input), ...(input.runArgs ?? [])],
    workingDir: RESULTS_DIR,
    env: [{ name: 'MCPRUN_TOKEN', valueFrom: { secretKeyRef: secretRef } }, ...(input.logResults ? [{ name: LOG_RESULTS_ENV, value: '1' }] : [])],
    ports: [{ name: PORT_NAME, containerPort: input.port, protocol: 'TCP' }],
    ...(resources && { resources }),
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    volumeMounts: mounts,
  };
}

/**
 * Node counts the node's CPUs, not the pod's share: on a 64-core node a `--cpu 2` pod would start 64
 * workers. The CPU request sets the count unless the user gave --workers.
 */
function workersArgs(input: K8sRunInput): string[] {
  if (input.cpu === undefined || setsWorkers(input.runArgs ?? [])) return [];
  return ['--workers', String(Math.max(1, Math.ceil(cpuCores(input.cpu))))];
}

/**
 * CPU is requested, not limited: a CFS quota throttles the generator in 100 ms slices, which would
 * show up as latency of the system under test. Memory is requested and limited alike: the
 * scheduler reserves all the pod may use, and an overrun OOM-kills this pod (106 for the run)
 * rather than squeezing its neighbours on the node.
 */
function resourcesOf(input: K8sRunInput): Container['resources'] {
  if (input.cpu === undefined && input.memory === undefined) return undefined;
  if (input.cpu !== undefined) cpuCores(input.cpu);
  if (input.memory !== undefined) memoryBytes(input.memory);
  const requests = { ...(input.cpu !== undefined && { cpu: input.cpu }), ...(input.memory !== undefined && { memory: input.memory }) };
  return { requests, ...(input.memory !== undefined && { limits: { memory: input.memory } }) };
}
