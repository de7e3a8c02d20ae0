/** Several `mcprun run --instances N` processes on 127.0.0.1, playing the pods of an Indexed Job. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { serverForTest, type CountingServer } from './http-server.js';
import { ROOT, runCli, type CliRun } from './run-cli.js';
import { tempDir } from './temp.js';

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

export const FIXTURE = join(ROOT, 'test/fixtures/instances/executors.ts');

/** Requests the server saw on `path`, its query left aside. */
export const count = (s: CountingServer, path: string) => s.requests.filter((r) => r.url.split('?')[0] === path).length;

/** The counting server the instances load: /bad answers 500, anything else 200. */
export function server() {
  return serverForTest((req, res) => {
    res.statusCode = req.url?.startsWith('/bad') ? 500 : 200;
    res.end('ok');
  });
}

export function summaryOf(file: string) {
  return JSON.parse(readFileSync(file, 'utf8')) as { metrics: Record<string, { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }>; mcprun: { exitCode: number; aborted: string | null; warnings: string[] } };
}

/** One run over three instances of the executors fixture with executor `exec`, against a new server. */
export async function runThree(exec: string, extra: { env?: Record<string, string>; envOf?: (i: number) => Record<string, string> } = {}) {
  const s = await server();
  const out = join(tempDir('mcprun-instances-'), 'summary.json');
  const runs = await startInstances(3, ['run', FIXTURE, '--workers', '2', '--summary-export', out], { env: { TARGET: s.url, EXEC: exec, ...extra.env }, envOf: extra.envOf });
  const results = await Promise.all(runs);
  return { s, out, results };
}
