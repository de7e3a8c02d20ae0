// http-scaling's generator-bound case: each iteration GETs from nginx and then does what scripts
// often do with a response, here parsing and re-serialising a ~10 KB JSON document WORK times, so
// the generator (not nginx, ~10 µs per request) is the bottleneck and --workers can show scaling.
import { check, defineScenario, http, type Duration } from 'mcprun';

export const options = defineScenario({
  scenarios: {
    load: { executor: 'constant-vus', vus: Number(process.env.VUS ?? 100), duration: (process.env.DURATION ?? '10s') as Duration },
  },
});

const target = process.env.TARGET!;
const WORK = Number(process.env.WORK ?? 1);
const doc = JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b', 'c'], price: i * 1.5, ok: i % 2 === 0 })) });

export default async function () {
  const res = await http.get(target);
  let n = 0;
  for (let i = 0; i < WORK; i++) n += JSON.stringify(JSON.parse(doc)).length;
  check(res, { 'status is 200': (r) => r.status === 200, 'work done': () => n > 0 });
}
