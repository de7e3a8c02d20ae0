// The bench's mcprun side: N VUs, each on its own keep-alive connection, GET + status check.
import { check, defineScenario, http, type Duration } from 'mcprun';

export const options = defineScenario({
  scenarios: {
    load: { executor: 'constant-vus', vus: Number(process.env.VUS ?? 50), duration: (process.env.DURATION ?? '10s') as Duration },
  },
});

const target = process.env.TARGET!;

export default async function () {
  const res = await http.get(target);
  check(res, { 'status is 200': (r) => r.status === 200 });
}
