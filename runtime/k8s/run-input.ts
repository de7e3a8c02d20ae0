/**
 * What `mcprun k8s` hands the renderer, and the checks that make a bad value a config error (104)
 * before any object reaches a cluster: names Kubernetes would refuse, numbers out of range, and
 * `mcprun run` arguments that would clash with the ones the Job sets or write outside the pod's
 * writable folders.
 */
import { McprunError } from '../errors.js';

/** The bundled scenario carried by a ConfigMap, or a scenario already in the image. */
export type ScenarioSource =
  | {
      /** The user's scenario path: names the ConfigMap key (`load/api.ts` -> `api.mjs`). */
      file: string;
      /**
       * One ESM file with its inline source map (the pod's mcprun re-bundles it, and esbuild chains
       * the map, so errors still name scenario.ts:line:column). `mcprun` stays a bare import: the
       * pod resolves it to its own runtime.
       */
      bundle: string;
    }
  | { imagePath: string };

/** mcprun generates a token (`value`) or the run reads an existing Secret. */
export type TokenSource = { value: string } | { secretName: string; key?: string };

export interface K8sRunInput {
  /** `--name`: the Job and the Service; the ConfigMap and Secret are `<name>-scenario`, `<name>-token`. */
  name: string;
  /** `--namespace`; absent: the namespace of kubectl's context. */
  namespace?: string;
  instances: number;
  image: string;
  cpu?: string;
  memory?: string;
  /** The coordinator's TCP port (index 0 listens on it; the others dial it). */
  port: number;
  scenario: ScenarioSource;
  /** More `mcprun run` arguments (`-e KEY=VALUE`, `--out json=ts.ndjson`, `--summary-export s.json`). */
  runArgs?: readonly string[];
  token: TokenSource;
  /** The plan's longest duration plus start-up and shutdown margins, in seconds. */
  activeDeadlineSeconds: number;
  /** How long the finished Job and its pods (and so their logs) are kept. */
  ttlSecondsAfterFinished?: number;
  /**
   * `--apply`: pod 0 ends its log with its exit code and the files of /results (MCPRUN_LOG_RESULTS=1,
   * results-block.ts), which `mcprun k8s --apply` takes out of the log and writes locally.
   */
  logResults?: boolean;
  /** From SIGTERM to SIGKILL: the plan's longest gracefulStop plus the time to write the summary. */
  terminationGracePeriodSeconds?: number;
}

export const DEFAULT_TTL_SECONDS = 3600;
export const DEFAULT_GRACE_SECONDS = 60;

/** Folders of the pod: the bundle (read-only), results and temporary files (emptyDirs). */
export const SCENARIO_DIR = '/scenario';
export const RESULTS_DIR = '/results';
export const TMP_DIR = '/tmp';

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const MAX_LABEL = 63;

/** `My Load_Test.ts` -> `my-load-test`: the nearest valid name, for hints. */
export function slug(text: string, max = 40): string {
  const s = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^[^a-z]+/, '').slice(0, max).replace(/-+$/, '');
  return s || 'mcprun';
}

export function checkName(name: string, instances: number): void {
  // Pods are named `<name>-<index>`; that is their hostname, a DNS label of at most 63 characters.
  const longest = `${name}-${instances - 1}`;
  if (DNS_1035.test(name) && longest.length <= MAX_LABEL) return;
  const room = MAX_LABEL - String(instances - 1).length - 1;
  throw new McprunError('MCPRUN_CLI', `invalid --name ${JSON.stringify(name)}: expected lower-case letters, digits and "-", starting with a letter, ending with a letter or digit, at most ${room} characters with ${instances} instances (pods are named <name>-<index>).`, {
    hint: `For example --name ${slug(name, room)}.`,
  });
}

export function checkNamespace(ns: string): void {
  if (DNS_1123_LABEL.test(ns) && ns.length <= MAX_LABEL) return;
  throw new McprunError('MCPRUN_CLI', `invalid --namespace ${JSON.stringify(ns)}: expected a Kubernetes namespace name (lower-case letters, digits and "-", at most 63 characters), e.g. --namespace load-tests.`);
}

export function checkWholeNumber(flag: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (Number.isInteger(v) && v >= min && v <= max) return;
  throw new McprunError('MCPRUN_CLI', `invalid ${flag} ${JSON.stringify(v)}: expected a whole number from ${min} to ${max}.`);
}

export function checkImage(image: string): void {
  if (image.trim() !== '' && !/\s/.test(image)) return;
  throw new McprunError('MCPRUN_CLI', `invalid --image ${JSON.stringify(image)}: expected an image reference, e.g. --image registry.example.com/mcprun:0.1.0 (built from the Dockerfile in mcprun's repository).`);
}

export function checkToken(token: TokenSource): void {
  if ('value' in token) {
    // Only mcprun's own generator feeds this: a short value is a bug, not a user's choice.
    if (token.value.length < 32 || /\s/.test(token.value)) throw new McprunError('MCPRUN_INTERNAL', 'the generated run token is shorter than 32 characters or holds whitespace.');
    return;
  }
  if (!DNS_1123_SUBDOMAIN.test(token.secretName) || token.secretName.length > 253) {
    throw new McprunError('MCPRUN_CLI', `invalid token Secret name ${JSON.stringify(token.secretName)}: expected a Kubernetes object name (lower-case letters, digits, "-" and "."), e.g. load-run-token.`);
  }
  if (token.key !== undefined && !CONFIG_KEY.test(token.key)) {
    throw new McprunError('MCPRUN_CLI', `invalid token Secret key ${JSON.stringify(token.key)}: expected letters, digits, "-", "_" or ".", e.g. token.`);
  }
}

/**
 * The default `--name`: `mcprun-<scenario>-<UTC yyyymmdd-hhmmss>`, unique per run (the Job and the
 * immutable ConfigMap cannot be reused) and short enough for `<name>-<index>` hostnames.
 */
export function defaultRunName(scenarioFile: string, now: Date): string {
  const base = scenarioFile.replace(/\\/g, '/').split('/').pop()!.replace(/\.[^.]*$/, '');
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `mcprun-${slug(base, 24).replace(/^mcprun-?/, '') || 'run'}-${stamp}`.replace(/--+/g, '-');
}
