/** Starts test/support/counting-server-process.mjs and reads its arrival log back over HTTP. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

const SCRIPT = fileURLToPath(new URL('./counting-server-process.mjs', import.meta.url));

export interface ServerProcess {
  url: string;
  arrivals(): Promise<number[]>;
  close(): Promise<void>;
}

export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [SCRIPT], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  const url = `http://127.0.0.1:${chunk.toString().trim()}`;
  return {
    url,
    async arrivals() {
      const r = await request(`${url}/__stats`);
      return (await r.body.json()) as number[];
    },
    async close() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
