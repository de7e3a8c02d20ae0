// One lean MCP server (Streamable HTTP, JSON answers, both eras) on 127.0.0.1:0, forked by
// bench/mcp-connections.mjs (IPC channel) or run alone (`node bench/mcp-lean-server.mjs [port]`
// prints `MCPRUN_LISTENING <port>`). It counts what it sees — connections and their concurrency,
// sessions issued / initialized / deleted and their concurrency, tool calls per era — answers
// {type:'stats'} with those counts, and exits when its parent goes away.
//
// A lean fixture, not a general server: a raw `net` server that parses just enough HTTP/1.1
// (request line, Content-Length, Mcp-Session-Id, Mcp-Method; keep-alive, no chunked uploads),
// because node:http's per-request objects cost the server more CPU than the client it measures on
// a 2-core machine shared with mcprun. The open-file limit is per process (20,000 here): one
// server holds at most ~19,900 connections.
//
// Legacy era (2025-11-25): initialize issues `Mcp-Session-Id`; every later request must carry a
// known one (else 404, as real servers answer an expired session); DELETE ends it.
// Modern era (2026-07-28, stateless): no session; every POST carries `Mcp-Method` and the
// `_meta` envelope; tools/call answers directly.
import { createServer } from 'node:net';

const s = {
  port: 0,
  open: 0,
  maxOpen: 0,
  opened: 0,
  firstOpenAt: 0,
  lastOpenAt: 0,
  closed: 0,
  requests: 0,
  sessions: 0,
  maxSessions: 0,
  initializes: 0,
  initialized: 0,
  deletes: 0,
  firstDeleteAt: 0,
  lastDeleteAt: 0,
  calls: 0,
  modernCalls: 0,
  unknownSession: 0,
  badRequests: 0,
};
const sessions = new Set();
let nextSession = 1;
const kBuf = Symbol('buf');

function reply(sock, status, body, extra = '') {
  const text = status === 200 ? 'OK' : status === 202 ? 'Accepted' : status === 404 ? 'Not Found' : status === 405 ? 'Method Not Allowed' : 'Bad Request';
  if (body === undefined) sock.write(`HTTP/1.1 ${status} ${text}\r\ncontent-length: 0\r\n${extra}\r\n`);
  else {
    const b = JSON.stringify(body);
    sock.write(`HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(b)}\r\n${extra}\r\n${b}`);
  }
}

/** The value of a lower-case header name in a latin1 head, or undefined. */
function header(head, name) {
  const i = head.toLowerCase().indexOf(`\r\n${name}:`);
  if (i < 0) return undefined;
  const e = head.indexOf('\r\n', i + 2);
  return head.slice(i + name.length + 3, e < 0 ? head.length : e).trim();
}

function handle(sock, method, head, body) {
  s.requests++;
  const sid = header(head, 'mcp-session-id');
  if (method === 'DELETE') {
    if (sid && sessions.delete(sid)) {
      s.deletes++;
      s.sessions--;
      const now = Date.now();
      if (!s.firstDeleteAt) s.firstDeleteAt = now;
      s.lastDeleteAt = now;
      reply(sock, 200);
    } else reply(sock, 404);
    return;
  }
  if (method !== 'POST') {
    reply(sock, 405);
    return;
  }
  let msg;
  try {
    msg = JSON.parse(body);
  } catch {
    s.badRequests++;
    reply(sock, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    return;
  }
  const modern = header(head, 'mcp-method') !== undefined;
  if (msg.method === 'initialize') {
    const id = `${s.port}-${nextSession++}`;
    sessions.add(id);
    s.initializes++;
    if (++s.sessions > s.maxSessions) s.maxSessions = s.sessions;
    const result = { protocolVersion: msg.params?.protocolVersion ?? '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'mcprun-lean', version: '0.0.1' } };
    reply(sock, 200, { jsonrpc: '2.0', id: msg.id, result }, `mcp-session-id: ${id}\r\n`);
    return;
  }
  if (!modern && !(sid && sessions.has(sid))) {
    s.unknownSession++;
    reply(sock, 404, undefined);
    return;
  }
  if (msg.id === undefined) {
    if (msg.method === 'notifications/initialized') s.initialized++;
    reply(sock, 202);
    return;
  }
  if (msg.method === 'tools/call') {
    if (modern) s.modernCalls++;
    else s.calls++;
    const text = typeof msg.params?.arguments?.message === 'string' ? msg.params.arguments.message : 'ok';
    reply(sock, 200, { jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text }] } });
  } else if (msg.method === 'tools/list') {
    reply(sock, 200, { jsonrpc: '2.0', id: msg.id, result: { tools: [{ name: 'echo', description: 'Echo the message', inputSchema: { type: 'object', properties: { message: { type: 'string' } } } }] } });
  } else if (msg.method === 'ping') {
    reply(sock, 200, { jsonrpc: '2.0', id: msg.id, result: {} });
  } else {
    reply(sock, 200, { jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: `Method not found: ${msg.method}` } });
  }
}

function onData(chunk) {
  let buf = this[kBuf] ? Buffer.concat([this[kBuf], chunk]) : chunk;
  let off = 0;
  for (;;) {
    const he = buf.indexOf('\r\n\r\n', off, 'latin1');
    if (he < 0) break;
    const head = buf.toString('latin1', off, he);
    const sp = head.indexOf(' ');
    const method = head.slice(0, sp);
    const len = Number(header(head, 'content-length') ?? 0);
    if (!(len >= 0) || he + 4 + len > buf.length) break;
    const body = len ? buf.toString('utf8', he + 4, he + 4 + len) : '';
    off = he + 4 + len;
    handle(this, method, head, body);
  }
  this[kBuf] = off < buf.length ? Buffer.from(buf.subarray(off)) : null;
}

function onClose() {
  s.open--;
  s.closed++;
}

const server = createServer({ noDelay: true }, (sock) => {
  const now = Date.now();
  s.opened++;
  if (++s.open > s.maxOpen) s.maxOpen = s.open;
  if (!s.firstOpenAt) s.firstOpenAt = now;
  s.lastOpenAt = now;
  sock[kBuf] = null;
  sock.on('data', onData);
  sock.on('close', onClose);
  sock.on('error', () => {});
});
server.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0), backlog: 4096 }, () => {
  s.port = server.address().port;
  if (process.send) process.send({ type: 'listening', port: s.port });
  else console.log(`MCPRUN_LISTENING ${s.port}`);
});
if (process.send) {
  process.on('message', (m) => {
    if (m?.type === 'reset-times') {
      s.firstOpenAt = s.lastOpenAt = s.firstDeleteAt = s.lastDeleteAt = 0;
    } else if (m?.type === 'stats') {
      const c = process.cpuUsage();
      process.send({ type: 'stats', stats: { ...s, rss: process.memoryUsage.rss(), cpuS: (c.user + c.system) / 1e6 } });
    }
  });
  process.on('disconnect', () => process.exit(0));
}
process.on('SIGINT', () => process.exit(0));
