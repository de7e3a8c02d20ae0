// One WebSocket echo server on 127.0.0.1:0, forked by bench/connections.mjs (IPC channel).
// It tells its port, counts what it sees (connections, concurrency, pings, closes, with times),
// answers {type:'stats'} with those counts, and exits when its parent goes away.
// The open-file limit is per process: one server holds at most ~19,900 connections here.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, backlog: 4096, clientTracking: false, perMessageDeflate: false });
const s = { port: 0, open: 0, maxOpen: 0, opened: 0, firstOpenAt: 0, lastOpenAt: 0, closed: 0, firstCloseAt: 0, lastCloseAt: 0, pings: 0, messages: 0, closeCodes: {} };

function onPing() {
  s.pings++;
}
function onMessage(data, isBinary) {
  s.messages++;
  this.send(data, { binary: isBinary });
}
function onClose(code) {
  const now = Date.now();
  s.open--;
  s.closed++;
  if (!s.firstCloseAt) s.firstCloseAt = now;
  s.lastCloseAt = now;
  s.closeCodes[code] = (s.closeCodes[code] ?? 0) + 1;
}
wss.on('connection', (ws) => {
  const now = Date.now();
  s.opened++;
  if (++s.open > s.maxOpen) s.maxOpen = s.open;
  if (!s.firstOpenAt) s.firstOpenAt = now;
  s.lastOpenAt = now;
  ws.on('ping', onPing);
  ws.on('message', onMessage);
  ws.on('close', onClose);
  ws.on('error', () => {});
});
wss.on('listening', () => {
  s.port = wss.address().port;
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
