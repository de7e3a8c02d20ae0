/** Several `mcprun run --instances N` processes on 127.0.0.1, playing the pods of an Indexed Job. */
import { createServer } from 'node:net';
import { runCli, type CliRun } from './run-cli.js';

/** A port that was free a moment ago (the coordinator listens on it). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * Instances 1..N-1 first, the coordinator last (pods start in any order: the others retry until it
 * listens). `envOf(i)` adds environment per instance; the index comes from JOB_COMPLETION_INDEX.
 */
export async function startInstances(n: number, args: string[], opts: { env?: Record<string, string>; envOf?: (i: number) => Record<string, string>; timeoutMs?: number } = {}): Promise<CliRun[]> {
  const port = await freePort();
  const runs: CliRun[] = [];
  for (const i of [...Array.from({ length: n - 1 }, (_, k) => k + 1), 0]) {
    runs[i] = runCli([...args, '--instances', String(n), '--coordinator', `127.0.0.1:${port}`, '--no-progress'], {
      env: { ...opts.env, JOB_COMPLETION_INDEX: String(i), ...opts.envOf?.(i) },
      timeoutMs: opts.timeoutMs ?? 90_000,
    });
  }
  return runs;
}
