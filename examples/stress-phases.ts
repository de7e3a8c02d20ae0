/**
 * The six-phase stress plan this project exists for, with an SLA per phase:
 *
 *   baseline ─▶ ramp ─▶ sustained ─▶ failure+recovery ─▶ burst ─▶ cooldown
 *   100 seq.    0→N VUs  N VUs hold    a real fault        2× rate   rate → 0
 *   requests    at R/s   at N/PACE/s   then it must heal
 *
 * Every size and duration comes from -e, so the suite runs the plan in seconds and you run it for
 * 35 minutes at 100K connections (use --pool processes and --workers 6+ past ~18K sockets here):
 *
 *   npx mcprun examples/stress-phases.ts                                   # small, against a server mcprun starts
 *   npx mcprun examples/stress-phases.ts -e TARGET=http://10.0.0.5:8080 \
 *     -e N=100000 -e R=5000 -e PACE=10 -e HOLD=15m -e FAIL=2m -e BURST=5m -e COOL=5m
 *
 * The failure is done to the target, not asked of it (docs/faults.md): without TARGET, mcprun
 * starts examples/servers/stress-target.mjs on PORT (default 18080) and SIGKILLs it for FAULT
 * seconds at the start of `failure`, then starts it again; with TARGET, a fault proxy in each
 * worker resets every connection for FAULT seconds instead. Either way the service must be
 * healthy again within 2 s (recovery_time), RECOVERED_FOR (default 3 s) long.
 *
 * Phases follow one another with `after` (each starts when the previous one has fully finished,
 * graceful stop included). Each phase's VUs open their own connections.
 */
import { check, defineScenario, http, target, type Duration, type TargetOptions } from 'mcprun';

const env = (k: string, d: string) => process.env[k] ?? d;
const N = Number(env('N', '200')); // connections (VUs) to ramp to and hold
const R = Number(env('R', '100')); // new connections per second during the ramp
const PACE = Number(env('PACE', '1')); // seconds between requests of one VU
const RATE = Math.max(1, Math.round(N / PACE)); // the sustained request rate
const dur = (k: string, d: string) => env(k, d) as Duration;
const PORT = env('PORT', '18080');
const app: TargetOptions = process.env.TARGET
  ? { upstream: process.env.TARGET }
  : { upstream: `http://127.0.0.1:${PORT}`, command: ['node', 'servers/stress-target.mjs'], env: { PORT }, ready: { timeout: '10s' } };

export const options = defineScenario({
  targets: { app },
  faults: {
    // A process crash (kill, then restart) against the server mcprun runs; a connection reset through the proxy otherwise.
    crash: {
      target: 'app',
      kind: process.env.TARGET ? 'reset' : 'kill',
      during: 'failure',
      duration: `${Number(env('FAULT', '10'))}s` as Duration,
      recovered: { for: dur('RECOVERED_FOR', '3s') },
    },
  },
  scenarios: {
    baseline: {
      executor: 'shared-iterations', vus: 1, iterations: 100, exec: 'request',
      thresholds: { http_req_duration: ['p95<100ms'], http_req_failed: ['rate<0.05%'] },
    },
    ramp: {
      executor: 'ramping-vus', after: 'baseline', startVUs: 0, exec: 'paced',
      stages: [{ duration: `${N / R}s` as Duration, target: N }],
      gracefulRampDown: '5s', gracefulStop: '5s',
      thresholds: { http_req_failed: ['rate<0.05%'] },
    },
    sustained: {
      executor: 'constant-vus', after: 'ramp', vus: N, duration: dur('HOLD', '15m'), exec: 'paced', gracefulStop: '5s',
      thresholds: {
        http_req_duration: ['p95<100ms'],
        http_req_failed: ['rate<0.05%'],
        // Throughput is judged per real elapsed second of this phase: 450 req/s is not > 10K req/s.
        http_reqs: [`rate>${Math.floor(RATE * 0.8)}/s` as 'rate>1/s'],
      },
    },
    failure: {
      executor: 'constant-arrival-rate', after: 'sustained', rate: RATE, timeUnit: '1s', duration: dur('FAIL', '1m'),
      preAllocatedVUs: Math.min(N, 100), maxVUs: N, exec: 'request',
      // Errors are expected while the fault lasts; the SLA is that the service heals.
      thresholds: { http_req_failed: ['rate<50%'] },
    },
    burst: {
      executor: 'constant-arrival-rate', after: 'failure', rate: 2 * RATE, timeUnit: '1s', duration: dur('BURST', '1m'),
      preAllocatedVUs: Math.min(2 * N, 200), maxVUs: 2 * N, exec: 'request',
      thresholds: { http_req_duration: ['p95<100ms'], http_req_failed: ['rate<0.05%'] },
    },
    cooldown: {
      executor: 'ramping-arrival-rate', after: 'burst', startRate: RATE, timeUnit: '1s', exec: 'request',
      stages: [{ duration: dur('COOL', '1m'), target: 0 }], preAllocatedVUs: Math.min(N, 100), maxVUs: N,
      thresholds: { http_req_failed: ['rate<0.05%'] },
    },
  },
  // The recovery SLA: healthy again within 2 s of the fault's end.
  thresholds: { checks: ['rate>0.9'], recovery_time: ['max<2s'] },
});

export async function request() {
  const res = await http.get(`${target('app')}/`, { responseType: 'none' });
  check(res, { 'status is 200': (r) => r.status === 200 });
}

/** One request per PACE seconds per VU: N VUs make N/PACE req/s over N held connections. */
export async function paced(vu: { state: { next?: number } }) {
  const now = Date.now();
  vu.state.next ??= now + Math.random() * PACE * 1000; // spread the VUs over the first period
  if (vu.state.next > now) await new Promise((r) => setTimeout(r, vu.state.next! - now));
  vu.state.next! += PACE * 1000;
  await request();
}
