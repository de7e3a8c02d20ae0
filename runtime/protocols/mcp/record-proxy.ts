/**
 * The proxy behind `mcprun record`: sits between an MCP client and a Streamable HTTP or legacy
 * SSE server, passes every request and response through unchanged (bodies, headers, SSE streams
 * as they flow), and writes each JSON-RPC message that crosses it to a session.jsonl
 * (recording.ts). A legacy SSE server's endpoint must be relative (as the SDKs send it), so the
 * client's POSTs come back through the recorder.
 * Not a load path (one client, interactive pace), so node:http is used as is; SSE responses are
 * piped chunk by chunk and parsed beside the pipe, so a long-lived stream is recorded as it goes.
 * Listens on loopback only: a recording holds whatever the client sent, tokens included.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { RecordedMessage, RecordingMeta } from './recording.js';
import { SseParser } from './sse-parser.js';
import type { JsonRpcMessage } from './types.js';

export interface RecordProxyOptions {
  upstream: string;
  host: string;
  port: number;
  out: string;
}

export interface RecordProxy {
  readonly url: string;
  readonly port: number;
  /** Messages written so far. */
  readonly messages: number;
  close(): Promise<void>;
}

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host']);

function forwardHeaders(h: IncomingMessage['headers'], upstream: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP.has(k)) out[k] = v;
  out.host = upstream.host;
  return out;
}

class Recorder {
  readonly #file: WriteStream;
  readonly #t0 = performance.now();
  count = 0;

  constructor(path: string, meta: RecordingMeta) {
    this.#file = createWriteStream(path, { flags: 'w' });
    this.#file.write(`${JSON.stringify(meta)}\n`);
  }

  write(dir: RecordedMessage['dir'], session: string | null, msg: unknown): void {
    const list = Array.isArray(msg) ? msg : [msg];
    for (const m of list) {
      if (!m || typeof m !== 'object') continue;
      const line: RecordedMessage = { t: Math.round((performance.now() - this.#t0) * 1000) / 1000, dir, session, msg: m as JsonRpcMessage };
      this.#file.write(`${JSON.stringify(line)}\n`);
      this.count++;
    }
  }

  event(session: string | null, http: 'DELETE'): void {
    this.#file.write(`${JSON.stringify({ t: Math.round((performance.now() - this.#t0) * 1000) / 1000, dir: 'c2s', session, http } satisfies RecordedMessage)}\n`);
  }

  close(): Promise<void> {
    return new Promise((r) => this.#file.end(r));
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The session a request belongs to: Streamable HTTP's Mcp-Session-Id header, or the legacy SSE
 * transport's session, a query parameter of the endpoint the server named (`sessionId` in the
 * TypeScript SDK, `session_id` in the Python one).
 */
function sessionOf(headers: IncomingMessage['headers'], url: URL): string | null {
  return (headers['mcp-session-id'] as string | undefined) ?? url.searchParams.get('sessionId') ?? url.searchParams.get('session_id');
}

/**
 * The legacy SSE transport's `endpoint` event names where the client POSTs (and so the session):
 * it is not a JSON-RPC message, so it is not written, and its session is that of the messages
 * that follow on the stream.
 */
function sseRecorder(rec: Recorder, session: string | null, upstream: URL): SseParser {
  return new SseParser({
    onEvent: (ev) => {
      if (ev.event === 'endpoint') session = sessionOf({}, new URL(ev.data.trim(), upstream)) ?? session;
      else rec.write('s2c', session, parseJson(ev.data));
    },
  });
}

function relay(rec: Recorder, req: IncomingMessage, body: Buffer, res: ServerResponse, upstream: URL): void {
  const sid = sessionOf(req.headers, new URL(req.url ?? '/', upstream));
  if (req.method === 'POST') rec.write('c2s', sid, parseJson(body.toString('utf8')));
  if (req.method === 'DELETE') rec.event(sid, 'DELETE');
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  const target = new URL(req.url ?? '/', upstream);
  const up = send(target, { method: req.method, headers: forwardHeaders(req.headers, upstream) }, (ures) => {
    const session = (ures.headers['mcp-session-id'] as string | undefined) ?? sid;
    res.writeHead(ures.statusCode ?? 502, ures.headers);
    const type = String(ures.headers['content-type'] ?? '');
    if (type.includes('text/event-stream')) {
      const parser = sseRecorder(rec, session, upstream);
      ures.on('data', (c: Buffer) => {
        parser.push(c);
        res.write(c);
      });
      ures.on('end', () => res.end());
    } else {
      const chunks: Buffer[] = [];
      ures.on('data', (c: Buffer) => {
        chunks.push(c);
        res.write(c);
      });
      ures.on('end', () => {
        if (type.includes('json')) rec.write('s2c', session, parseJson(Buffer.concat(chunks).toString('utf8')));
        res.end();
      });
    }
    ures.on('error', () => res.destroy());
  });
  up.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`mcprun record: upstream ${upstream.href} failed: ${err.message}`);
    else res.destroy();
  });
  res.on('close', () => up.destroy());
  up.end(body);
}

export async function startRecordProxy(o: RecordProxyOptions): Promise<RecordProxy> {
  const upstream = new URL(o.upstream);
  const rec = new Recorder(o.out, { type: 'meta', version: 1, upstream: upstream.href, startedAt: new Date().toISOString() });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => relay(rec, req, Buffer.concat(chunks), res, upstream));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${o.host}:${port}${upstream.pathname}`,
    port,
    get messages() {
      return rec.count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => void rec.close().then(resolve));
      }),
  };
}
