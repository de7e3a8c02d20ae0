// latency-accuracy's second mcprun row: the same open-model load, one scenario, whose requests in
// the first 2 seconds (connections being opened, code not yet compiled) are tagged phase:warmup
// and the rest phase:measure; the summary export carries the measured part's percentiles through
// a never-failing threshold.
import { defineScenario, http, check, type Duration } from 'mcprun';

const WARMUP_MS = 2000;
const seconds = Number(String(process.env.DURATION ?? '10s').replace(/s$/, ''));

export const options = defineScenario({
  scenarios: {
    open: {
      executor: 'constant-arrival-rate',
      rate: Number(process.env.RATE ?? 1000),
      timeUnit: '1s',
      duration: `${seconds + WARMUP_MS / 1000}s` as Duration,
      preAllocatedVUs: Number(process.env.VUS ?? 100),
      maxVUs: 2000,
    },
  },
  thresholds: { 'http_req_duration{phase:measure}': ['p(99)<60000'] },
});

const target = process.env.TARGET!;
let t0: number | undefined;
const warm = { tags: { phase: 'warmup' }, responseType: 'none' } as const;
const measure = { tags: { phase: 'measure' }, responseType: 'none' } as const;

export default async function () {
  t0 ??= Date.now();
  const r = await http.get(target, Date.now() - t0 < WARMUP_MS ? warm : measure);
  check(r, { ok: (x) => x.status === 200 });
}
