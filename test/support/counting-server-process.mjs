// A counting HTTP server in its own process, so its arrival timestamps are not disturbed by the
// test runner's event loop. Prints its port; GET /__stats answers the arrival times (ms, epoch).
import { createServer } from 'node:http';

const delayMs = Number(process.env.DELAY_MS ?? 0);
const arrivals = [];
const server = createServer((req, res) => {
  if (req.url === '/__stats') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(arrivals));
    return;
  }
  arrivals.push(Date.now());
  if (delayMs) setTimeout(() => res.end('ok'), delayMs);
  else res.end('ok');
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
