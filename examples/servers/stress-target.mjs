// The server examples/stress-phases.ts starts as its managed target when no TARGET is given: an
// HTTP server on 127.0.0.1:$PORT answering 200 "ok". mcprun starts it before the load, kills it
// during the `failure` phase (the `crash` fault), starts it again when the fault ends, and stops
// it after the run.
import { createServer } from 'node:http';

const server = createServer((_req, res) => res.end('ok'));
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 18080), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
