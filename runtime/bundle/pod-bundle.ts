/**
 * The scenario bundled for a Kubernetes pod (`mcprun k8s`): one ES module that keeps `mcprun` a
 * bare import (the pod's mcprun resolves it to its own runtime and bundles the file again at
 * start), no require() banner (the pod adds its own), and an inline source map without sources,
 * so an error in a pod still names scenario.ts:line:column. Differs from the local run's build
 * (scenario-build.ts) in those two options only.
 */
import { dirname, resolve } from 'node:path';
import { build, type Message } from 'esbuild';
import { McprunError } from '../errors.js';

export async function bundleForPod(file: string): Promise<string> {
  const abs = resolve(file);
  try {
    const r = await build({
      entryPoints: [abs],
      outfile: `${abs.replace(/\.[^./]*$/, '')}.mjs`,
      absWorkingDir: dirname(abs),
      bundle: true,
      write: false,
      logLevel: 'silent',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
      sourcesContent: false,
      external: ['mcprun'],
    });
    return r.outputFiles[0].text;
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors ?? [];
    const first = errors[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}` : file;
    throw new McprunError('MCPRUN_SCRIPT_COMPILE', `${file} could not be bundled for the pods: ${where}: ${first?.text ?? (err as Error).message}.`);
  }
}
