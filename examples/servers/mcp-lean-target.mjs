// The lean stateful MCP server (Streamable HTTP, JSON answers) examples/mcp-stress-phases.ts starts
// as its managed target when no TARGET is given, on 127.0.0.1:$PORT/mcp: initialize issues an
// Mcp-Session-Id, tools/call echoes, DELETE ends the session. mcprun starts it before the load,
// puts a fault proxy in front of it for the failure phase, and stops it after the run.
import { createServer } from 'node:http';

const sessions = new Set();
let next = 0;
const server = createServer((req, res) => {
  const send = (status, body, sid) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', ...(sid ? { 'mcp-session-id': sid } : {}) }).end(text);
  };
  const sid = req.headers['mcp-session-id'];
  if (req.method === 'DELETE') return send(sid && sessions.delete(sid) ? 200 : 404);
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const msg = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    if (msg.method === 'initialize') {
      const id = `s${++next}`;
      sessions.add(id);
      return send(200, { jsonrpc: '2.0', id: msg.id, result: { protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'lean', version: '1' } } }, id);
    }
    if (!sid || !sessions.has(sid)) return send(404);
    if (msg.id === undefined) return send(202);
    send(200, { jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text: msg.params?.arguments?.message ?? '' }] } });
  });
});
server.keepAliveTimeout = 120_000;
server.listen(Number(process.env.PORT ?? 18081), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
