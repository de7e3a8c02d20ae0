/**
 * A real HTTP server on 127.0.0.1:0 that counts what it sees: the ground truth tests compare
 * mcprun's figures against (requests, concurrent connections, arrival timestamps).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface CountingServer {
  url: string;
  port: number;
  /** Requests seen, in arrival order, with their arrival time (ms, performance-independent epoch). */
  requests: Array<{ at: number; method: string; url: string }>;
  openConnections: number;
  maxOpenConnections: number;
  totalConnections: number;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export async function startCountingServer(handler: Handler = (_q, s) => s.end('ok')): Promise<CountingServer> {
  const sockets = new Set<Socket>();
  const state: Omit<CountingServer, 'url' | 'port' | 'close'> = { requests: [], openConnections: 0, maxOpenConnections: 0, totalConnections: 0 };
  const server = createServer((req, res) => {
    state.requests.push({ at: Date.now(), method: req.method ?? '', url: req.url ?? '' });
    handler(req, res);
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (sock) => {
    sockets.add(sock);
    state.totalConnections++;
    state.openConnections++;
    if (state.openConnections > state.maxOpenConnections) state.maxOpenConnections = state.openConnections;
    sock.on('close', () => {
      sockets.delete(sock);
      state.openConnections--;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  }) as CountingServer;
}

/** A counting server closed automatically when the current test finishes. */
export async function serverForTest(handler?: Handler): Promise<CountingServer> {
  const { onTestFinished } = await import('vitest');
  const s = await startCountingServer(handler);
  onTestFinished(() => s.close());
  return s;
}
