// Open-model load for the latency and soak benches: RATE iterations/s for DURATION.
import { defineScenario, http, check, type Duration } from 'mcprun';

export const options = defineScenario({
  scenarios: {
    open: {
      executor: 'constant-arrival-rate',
      rate: Number(process.env.RATE ?? 1000),
      timeUnit: '1s',
      duration: (process.env.DURATION ?? '10s') as Duration,
      preAllocatedVUs: Number(process.env.VUS ?? 100),
      maxVUs: Number(process.env.MAXVUS ?? 2000),
    },
  },
});

const target = process.env.TARGET!;
export default async function () {
  const r = await http.get(target, { responseType: 'none' });
  check(r, { ok: (x) => x.status === 200 });
}
