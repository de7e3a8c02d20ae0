/**
 * `--cpu` and `--memory` as Kubernetes writes resource quantities ("1500m", "2", "512Mi", "2G"),
 * checked here so a typo is a config error before anything reaches the cluster, and read as numbers
 * because the CPU figure also sets mcprun's worker count in the pod (see manifests.ts).
 */
import { McprunError } from '../errors.js';

const QUANTITY = /^(\d+(?:\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const FACTOR: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
/** Below this a pod cannot even start Node with one worker: `--memory 512` (bytes) meant 512Mi. */
const MIN_MEMORY_BYTES = 64 * 2 ** 20;

function parse(text: string): { value: number; suffix: string } | undefined {
  const m = QUANTITY.exec(text.trim());
  return m ? { value: Number(m[1]), suffix: m[2] ?? '' } : undefined;
}

/** Cores from `--cpu` ("2", "0.5", "1500m"). */
export function cpuCores(text: string): number {
  const q = parse(text);
  if (!q || (q.suffix !== '' && q.suffix !== 'm') || q.value <= 0) {
    throw new McprunError('MCPRUN_CLI', `invalid --cpu ${JSON.stringify(text)}: expected CPU cores as Kubernetes writes them, e.g. --cpu 2 or --cpu 1500m.`);
  }
  return q.value * FACTOR[q.suffix];
}

/** Bytes from `--memory` ("512Mi", "2Gi", "3G"). */
export function memoryBytes(text: string): number {
  const q = parse(text);
  if (!q || q.suffix === 'm') {
    throw new McprunError('MCPRUN_CLI', `invalid --memory ${JSON.stringify(text)}: expected a size as Kubernetes writes it, e.g. --memory 2Gi or --memory 512Mi.`);
  }
  const bytes = q.value * FACTOR[q.suffix];
  if (bytes < MIN_MEMORY_BYTES) {
    throw new McprunError('MCPRUN_CLI', `--memory ${JSON.stringify(text)} is ${bytes} bytes: too little for a pod running mcprun (at least 64Mi).`, {
      hint: `Give a unit: --memory ${q.value}Mi or --memory ${q.value}Gi.`,
    });
  }
  return bytes;
}
