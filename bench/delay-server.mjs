// A server that answers every request after setTimeout(50), and records how long it really held
// each one (the ground truth the latency bench subtracts). GET /__held returns the held times (ms).
import { createServer } from 'node:http';
const held = [];
const DELAY = Number(process.env.DELAY_MS ?? 50);
const server = createServer((req, res) => {
  if (req.url === '/__held') return res.end(JSON.stringify(held));
  const t0 = performance.now();
  setTimeout(() => {
    held.push(performance.now() - t0);
    res.end('ok');
  }, DELAY);
});
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
