/**
 * `mcprun k8s scenario.ts --instances N --image IMAGE [...] [-- run arguments]`: prints the
 * Kubernetes objects for one run over N pods (runtime/k8s/manifests.ts renders them). The
 * scenario is read first, as `mcprun run` reads it (its options and thresholds checked: 104 before
 * anything reaches a cluster), to size the Job's deadline from its plan; then bundled for the
 * pods into the ConfigMap. Never prints a token: the Job reads MCPRUN_TOKEN from a Secret the
 * user creates (`<name>-token` unless --token-secret names another).
 *
 * `--apply` (runtime/k8s/apply.ts): the objects go to the user's kubectl instead, with a Secret
 * holding a token mcprun makes (unless --token-secret), and the run is followed to its exit code.
 */
import { resolve } from 'node:path';
import yargsParser from 'yargs-parser';
import { loadScenario } from '../coordinator/load.js';
import { planScenario } from '../coordinator/plan.js';
import { releasePrespawned } from '../coordinator/prespawn.js';
import { StopSignals } from '../coordinator/stop-signals.js';
import { bundleForPod } from '../bundle/pod-bundle.js';
import { McprunError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { deadlineSeconds } from '../k8s/deadline.js';
import { renderRun } from '../k8s/manifests.js';
import { defaultRunName, type K8sRunInput } from '../k8s/run-input.js';
import { reportError } from '../output/error-report.js';
import { applyRun } from '../k8s/apply.js';
import { findKubectl } from '../k8s/kubectl.js';
import { generateRunToken } from '../k8s/token.js';
import type { CommandContext } from './cli-io.js';

export const K8S_USAGE = `Usage: mcprun k8s <scenario.ts> --instances N --image IMAGE [options] [-- mcprun run arguments]

Prints a ConfigMap with the bundled scenario, a headless Service and an Indexed Job for one run
over N pods; apply them with \`kubectl apply --server-side -f -\` after creating the token Secret.

  --instances N            pods in the run (required)
  --image IMAGE            an image with mcprun in it, from this repository's Dockerfile (required)
  --namespace NS           default: the namespace of kubectl's context
  --name NAME              the Job and Service (default mcprun-<scenario>-<yyyymmdd-hhmmss>)
  --cpu CPU                the pod's CPU request (2, 1500m); also --workers ⌈CPU⌉
  --memory SIZE            the pod's memory request and limit (3Gi)
  --port PORT              the coordinator's port (default 6565)
  --token-secret NAME      the Secret holding MCPRUN_TOKEN under key "token" (default <name>-token)
  --scenario-in-image PATH the scenario is in the image at PATH: no ConfigMap
  --apply                  apply them with kubectl (a token Secret made unless --token-secret), follow
                           pod 0's log, write its /results into --report-dir, exit with the run's code
  --report-dir DIR         with --apply: where pod 0's results go, DIR/<name>/ (default ./mcprun-results)
  --keep                   with --apply: delete nothing (Ctrl-C then only stops following)
  --kubectl PATH           with --apply: the kubectl to run (default MCPRUN_KUBECTL, else kubectl on PATH)
`;

const DEFAULT_PORT = 6565;

const STRING_FLAGS = ['instances', 'image', 'namespace', 'name', 'cpu', 'memory', 'port', 'token-secret', 'scenario-in-image', 'kubectl', 'report-dir'];
const BOOLEAN_FLAGS = ['help', 'verbose', 'apply', 'keep'];
const DEFAULT_REPORT_DIR = './mcprun-results';

export async function k8sCommand(argv: string[], ctx: CommandContext, now = new Date()): Promise<number> {
  const { io } = ctx;
  const dash = argv.indexOf('--');
  const runArgs = dash < 0 ? [] : argv.slice(dash + 1);
  const a = yargsParser(dash < 0 ? argv : argv.slice(0, dash), {
    string: STRING_FLAGS,
    boolean: BOOLEAN_FLAGS,
    configuration: { 'camel-case-expansion': false },
  });
  if (a.help) {
    io.stdout.write(K8S_USAGE);
    return EXIT_CODES.OK;
  }
  try {
    // kubectl first: a missing one is said before the scenario is read, and nothing is applied.
    const kubectl = a.apply ? findKubectl(typeof a.kubectl === 'string' ? a.kubectl : undefined) : undefined;
    if (!a.apply) for (const f of ['keep', 'kubectl', 'report-dir']) if (a[f] !== undefined && a[f] !== false) throw usage(`--${f} goes with --apply (mcprun k8s ... --apply --${f}${f === 'keep' ? '' : ' ...'}); without --apply the objects are only printed.`);
    const input = await inputOf(a, runArgs, now);
    if (!kubectl) {
      io.stdout.write(renderRun(input).yaml);
      return EXIT_CODES.OK;
    }
    return await applyCommand(a, input, kubectl, ctx);
  } catch (err) {
    return reportError(err, io.stderr, Boolean(a.verbose));
  } finally {
    releasePrespawned();
  }
}

/** The Job set to log pod 0's results, with a token mcprun makes (and applies as a Secret) unless --token-secret names one. */
async function applyCommand(a: yargsParser.Arguments, given: K8sRunInput, bin: string, { io, signal, hardSignal }: CommandContext): Promise<number> {
  const input: K8sRunInput = { ...given, logResults: true, ...(typeof a['token-secret'] !== 'string' && { token: { value: generateRunToken() } }) };
  const rendered = renderRun(input);
  const reportDir = typeof a['report-dir'] === 'string' && a['report-dir'] ? a['report-dir'] : DEFAULT_REPORT_DIR;
  return applyRun(rendered, {
    kubectl: { bin, ...(input.namespace !== undefined && { namespace: input.namespace }) },
    name: input.name,
    resultsDir: resolve(reportDir, input.name),
    keep: Boolean(a.keep),
    stdout: io.stdout,
    stderr: io.stderr,
    signal,
    hardSignal,
    verbose: Boolean(a.verbose),
  });
}

async function inputOf(a: yargsParser.Arguments, runArgs: string[], now: Date): Promise<K8sRunInput> {
  const script = a._[0] === undefined ? undefined : String(a._[0]);
  if (!script) throw usage('mcprun k8s needs the scenario file: mcprun k8s scenario.ts --instances 4 --image registry.example.com/mcprun:0.1.0.');
  const unknown = Object.keys(a).filter((k) => k !== '_' && !STRING_FLAGS.includes(k) && !BOOLEAN_FLAGS.includes(k));
  if (unknown.length) throw usage(`mcprun k8s does not take --${unknown[0]}: give \`mcprun run\` arguments for the pods after \`--\` (mcprun k8s scenario.ts --instances 4 --image IMAGE -- -e TARGET=http://api:8080).`);
  const instances = whole(a.instances, '--instances', 'e.g. --instances 4');
  if (typeof a.image !== 'string' || !a.image) throw usage('mcprun k8s needs --image IMAGE: an image with mcprun in it (docker build -t registry.example.com/mcprun:0.1.0 . from this repository).');
  const port = a.port === undefined ? DEFAULT_PORT : whole(a.port, '--port', 'e.g. --port 6565');
  const name = typeof a.name === 'string' ? a.name : defaultRunName(script, now);
  const activeDeadlineSeconds = await planDeadline(script, runArgs);
  const inImage = typeof a['scenario-in-image'] === 'string' ? a['scenario-in-image'] : undefined;
  return {
    name,
    ...(typeof a.namespace === 'string' && { namespace: a.namespace }),
    instances,
    image: a.image,
    ...(typeof a.cpu === 'string' && { cpu: a.cpu }),
    ...(typeof a.memory === 'string' && { memory: a.memory }),
    port,
    scenario: inImage ? { imagePath: inImage } : { file: script, bundle: await bundleForPod(script) },
    runArgs,
    token: { secretName: typeof a['token-secret'] === 'string' ? a['token-secret'] : `${name}-token` },
    activeDeadlineSeconds,
  };
}

/** The scenario read as `mcprun run` reads it (with the -e values of the run arguments): its plan's length bounds the Job. */
async function planDeadline(script: string, runArgs: string[]): Promise<number> {
  const scenario = await loadScenario({ script, env: envOf(runArgs) }, new StopSignals(undefined, undefined), false);
  try {
    const { scenarios, setupTimeoutMs, teardownTimeoutMs } = scenario.config;
    return deadlineSeconds(scenarios, { setupTimeoutMs, teardownTimeoutMs }, (s) => planScenario(s).plannedDurationMs);
  } finally {
    scenario.bundle.dispose();
  }
}

function envOf(args: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const pair = a === '-e' || a === '--env' ? args[++i] : a.startsWith('--env=') ? a.slice(6) : a.startsWith('-e') && a.length > 2 ? a.slice(2) : undefined;
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

function whole(v: unknown, flag: string, example: string): number {
  if (typeof v !== 'string' || !/^\d+$/.test(v.trim()) || Number(v) < 1) throw usage(`invalid ${flag} ${JSON.stringify(v ?? '')}: expected a whole number >= 1, ${example}.`);
  return Number(v);
}

function usage(message: string): McprunError {
  return new McprunError('MCPRUN_CLI', message, { hint: 'See `mcprun k8s --help`.' });
}
