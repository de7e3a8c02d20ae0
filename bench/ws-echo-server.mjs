// One WebSocket echo server on 127.0.0.1:0, forked by bench/connections.mjs (IPC channel).
// It tells its port, counts what it sees (connections, concurrency, pings, closes, with times),
// answers {type:'stats'} with those counts, and exits when its parent goes away.
// The open-file limit is per process: one server holds at most ~19,900 connections here.
//
// A lean fixture, not a general server: a raw `net` server that does the RFC 6455 handshake and
// framing itself (no HTTP parser, no `ws` objects per connection), because with `ws`'s
// WebSocketServer the 6 servers spent ~0.5 ms of CPU per connection on a 2-core machine that
// mcprun shares with them. It answers ping with pong, echoes text and binary messages, and
// answers a close frame with the same code, then closes TCP. No extensions, no fragmentation
// reassembly (echoes each data frame as it came), no validation beyond what the bench needs.
import * as crypto from 'node:crypto';
import { createServer } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const s = { port: 0, open: 0, maxOpen: 0, opened: 0, firstOpenAt: 0, lastOpenAt: 0, closed: 0, firstCloseAt: 0, lastCloseAt: 0, pings: 0, messages: 0, closeCodes: {} };

const kState = Symbol('state');
const HANDSHAKE = 0;
const OPEN = 1;
const DONE = 2;

function opened() {
  const now = Date.now();
  s.opened++;
  if (++s.open > s.maxOpen) s.maxOpen = s.open;
  if (!s.firstOpenAt) s.firstOpenAt = now;
  s.lastOpenAt = now;
}

function closed(code) {
  const now = Date.now();
  s.open--;
  s.closed++;
  if (!s.firstCloseAt) s.firstCloseAt = now;
  s.lastCloseAt = now;
  s.closeCodes[code] = (s.closeCodes[code] ?? 0) + 1;
}

/** An unmasked server frame. */
function frame(op, payload) {
  const len = payload.length;
  const hdr = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const b = Buffer.allocUnsafe(hdr + len);
  b[0] = 0x80 | op;
  if (len < 126) b[1] = len;
  else if (len < 65536) {
    b[1] = 126;
    b.writeUInt16BE(len, 2);
  } else {
    b[1] = 127;
    b.writeUInt32BE(0, 2);
    b.writeUInt32BE(len, 6);
  }
  payload.copy(b, hdr);
  return b;
}

function onData(chunk) {
  const st = this[kState];
  let buf = st.pending ? Buffer.concat([st.pending, chunk]) : chunk;
  st.pending = null;
  if (st.phase === HANDSHAKE) {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) {
      st.pending = buf;
      return;
    }
    const head = buf.toString('latin1', 0, end);
    const m = /\r\nsec-websocket-key:\s*([^\r\n]+)/i.exec(head);
    if (!m) {
      this.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      st.phase = DONE;
      return;
    }
    const accept = crypto.hash ? crypto.hash('sha1', m[1].trim() + GUID, 'base64') : crypto.createHash('sha1').update(m[1].trim() + GUID).digest('base64');
    this.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    st.phase = OPEN;
    st.open = true;
    opened();
    buf = buf.subarray(end + 4);
  }
  let off = 0;
  while (st.phase === OPEN && buf.length - off >= 2) {
    const b0 = buf[off];
    let len = buf[off + 1] & 0x7f;
    let p = off + 2;
    if (len === 126) {
      if (buf.length - off < 4) break;
      len = buf.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      if (buf.length - off < 10) break;
      len = buf.readUInt32BE(p + 4);
      p += 8;
    }
    if (buf.length < p + 4 + len) break;
    const mask = buf.subarray(p, p + 4);
    const payload = Buffer.allocUnsafe(len);
    for (let i = 0; i < len; i++) payload[i] = buf[p + 4 + i] ^ mask[i & 3];
    off = p + 4 + len;
    const op = b0 & 0x0f;
    if (op === 0x9) {
      s.pings++;
      this.write(frame(0xa, payload));
    } else if (op === 0x1 || op === 0x2 || op === 0x0) {
      s.messages++;
      this.write(frame(op, payload));
    } else if (op === 0x8) {
      const code = len >= 2 ? payload.readUInt16BE(0) : 1005;
      st.phase = DONE;
      st.code = code;
      // Answer and close the descriptor at once (its FIN follows the frame): no shutdown() and
      // no wait for the client's FIN. end() only if the answer could not be written right away.
      this.write(frame(0x8, len >= 2 ? payload.subarray(0, 2) : payload));
      if (this.writableLength === 0) this.destroy();
      else this.end();
    }
  }
  if (st.phase === OPEN && off < buf.length) st.pending = Buffer.from(buf.subarray(off));
}

function onClose() {
  const st = this[kState];
  if (st.open) closed(st.code ?? 1006);
}

const server = createServer({ noDelay: true }, (sock) => {
  sock[kState] = { phase: HANDSHAKE, open: false, pending: null, code: undefined };
  sock.on('data', onData);
  sock.on('close', onClose);
  sock.on('error', () => {});
});
server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  s.port = server.address().port;
  process.send({ type: 'listening', port: s.port });
});
process.on('message', (m) => {
  if (m?.type === 'stats') {
    const c = process.cpuUsage();
    process.send({ type: 'stats', stats: { ...s, rss: process.memoryUsage.rss(), cpuS: (c.user + c.system) / 1e6 } });
  }
});
process.on('disconnect', () => process.exit(0));
process.on('SIGINT', () => {});
