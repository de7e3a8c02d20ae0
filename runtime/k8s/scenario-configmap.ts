/**
 * The ConfigMap that carries the bundled scenario to every pod, and the two ways it can fail before
 * it reaches the cluster: a bundle over the API server's limit (1 MiB of data in all, counted in
 * UTF-8 bytes over the values), and a bundle built for this machine rather than for the image.
 */
import { posix } from 'node:path';
import { McprunError } from '../errors.js';
import type { ConfigMap, ObjectMeta } from './objects.js';

/** The API server refuses a ConfigMap whose data values add up to more (core.MaxSecretSize). */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;base64,[A-Za-z0-9+/=]+\s*$/;
/** What the local run bundle holds and a pod cannot use (runtime/bundle/scenario-build.ts). */
const HOST_RUNTIME_IMPORT = /\b(?:from|import)\s*\(?\s*["']file:\/\//;
const REQUIRE_BANNER = '__mcprunCreateRequire';

/** `load/api-test.ts` -> `api-test.mjs`: the key, so the file in /scenario is an ES module. */
export function bundleKey(file: string): string {
  const base = posix.basename(file.replace(/\\/g, '/')).replace(/\.[^.]*$/, '');
  return `${base.replace(/[^-._a-zA-Z0-9]/g, '-').replace(/^\.+/, '') || 'scenario'}.mjs`;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function checkPortable(bundle: string): void {
  // The pod's mcprun bundles the file again: a file:// import names this machine's installation,
  // and a second copy of the require() banner is a duplicate declaration.
  if (HOST_RUNTIME_IMPORT.test(bundle) || bundle.includes(REQUIRE_BANNER)) {
    throw new McprunError('MCPRUN_INTERNAL', "the scenario bundle for Kubernetes imports a file:// path or carries the require() banner: it was built for this machine. Bundle it with 'mcprun' as a bare external import and no banner; the pod's mcprun adds both.");
  }
}

function checkSize(file: string, bundle: string): void {
  const bytes = Buffer.byteLength(bundle, 'utf8');
  if (bytes <= CONFIGMAP_MAX_BYTES) return;
  const map = INLINE_MAP.exec(bundle);
  const mapPart = map ? `; its inline source map is ${kib(Buffer.byteLength(map[0], 'utf8'))} of it` : '';
  throw new McprunError(
    'MCPRUN_BUNDLE_TOO_LARGE',
    `the bundled scenario ${file} is ${kib(bytes)} (${bytes} bytes), ${kib(bytes - CONFIGMAP_MAX_BYTES)} over the 1 MiB (${CONFIGMAP_MAX_BYTES} bytes) a Kubernetes ConfigMap can carry${mapPart}.`,
    { hint: 'Import less (a lighter package, or the submodule you use rather than a whole library), or build an image with the scenario in it (docs/kubernetes.md, "The scenario in the image").' },
  );
}

export function scenarioConfigMap(metadata: ObjectMeta, file: string, bundle: string): ConfigMap {
  checkPortable(bundle);
  checkSize(file, bundle);
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata, immutable: true, data: { [bundleKey(file)]: bundle } };
}
