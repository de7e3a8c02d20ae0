/**
 * The smallest useful scenario: 10 VUs hit one endpoint for 5 seconds and check the answer.
 *
 *   npx mcprun examples/http-smoke.ts                       # against a tiny server started in setup()
 *   npx mcprun examples/http-smoke.ts -e TARGET=http://127.0.0.1:8080/health
 */
import { createServer, type Server } from 'node:http';
import { check, defineScenario, http, type Duration } from 'mcprun';

export const options = defineScenario({
  scenarios: {
    smoke: { executor: 'constant-vus', vus: 10, duration: (process.env.DURATION ?? '5s') as Duration },
  },
  thresholds: {
    // Judged exactly: 0.05 % of failures is not "< 0.05 %".
    http_req_failed: ['rate<0.05%'],
    http_req_duration: ['p95<100ms', 'p(99)<250ms'],
    checks: ['rate==1'],
  },
});

// setup() runs once, on worker 0; the server lives there until teardown().
let server: Server | undefined;

export async function setup() {
  if (process.env.TARGET) return { target: process.env.TARGET };
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { target: `http://127.0.0.1:${port}/health` };
}

export default async function (_vu: unknown, data: { target: string }) {
  const res = await http.get(data.target);
  check(res, {
    'status is 200': (r) => r.status === 200,
    'body says ok': (r) => r.json().status === 'ok',
  });
}

export async function teardown() {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
}
