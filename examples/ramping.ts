/**
 * A closed-model ramp: VUs go 0 → 20 → 20 → 0, each looping GET + check + think time.
 *
 *   npx mcprun examples/ramping.ts                         # against a local server started in setup()
 *   npx mcprun examples/ramping.ts -e TARGET=http://127.0.0.1:8080/ -e SCALE=10
 *
 *   VUs
 *    20 |      ________
 *       |     /        \
 *       |    /          \
 *     0 |___/            \___
 *       +---+----+-------+----> t
 *         ramp  hold   down
 */
import { createServer, type Server } from 'node:http';
import { check, defineScenario, group, http, sleep, type Duration } from 'mcprun';

// SCALE stretches every stage so the test suite can run the same plan in a few seconds.
const scale = Number(process.env.SCALE ?? 10);
const d = (seconds: number) => `${seconds * scale}s` as Duration;

export const options = defineScenario({
  scenarios: {
    ramp: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: d(0.5), target: 20 }, // ramp up
        { duration: d(1), target: 20 }, // hold
        { duration: d(0.5), target: 0 }, // ramp down: VUs finish their iteration first
      ],
      gracefulRampDown: '2s',
    },
  },
  thresholds: {
    http_req_failed: ['rate<1%'],
    'http_req_duration{name:home}': ['p95<200ms'],
    'group_duration{group:::browse}': ['p99<1s'],
  },
});

let server: Server | undefined;

export async function setup() {
  if (process.env.TARGET) return { target: process.env.TARGET };
  server = createServer((_req, res) => res.end('hello'));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { target: `http://127.0.0.1:${(server.address() as { port: number }).port}/` };
}

export default async function (vu: { state: { visits?: number } }, data: { target: string }) {
  await group('browse', async () => {
    // The `name` tag groups URLs that differ (ids, queries) into one series.
    const res = await http.get(data.target, { tags: { name: 'home' } });
    check(res, { 'home is 200': (r) => r.status === 200 });
  });
  vu.state.visits = (vu.state.visits ?? 0) + 1; // per-VU state lives on vu.state, not in globals
  await sleep(0.05); // think time
}

export async function teardown() {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
}
