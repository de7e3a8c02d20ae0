/**
 * What crosses between instances: the workers' metric snapshots go over a real TCP connection on
 * 127.0.0.1 in the instances' frames (coordinator/instances/wire.ts) and merge on the coordinator
 * into the same figures as one process that recorded every value: same counts, same percentiles
 * to the histogram's precision (the buckets cross exactly). The first frame is JSON, the rest
 * structured clones; a frame cut across TCP segments is read whole.
 */
import { createServer, connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { Wire } from '../../../runtime/coordinator/instances/wire.js';
import { MetricAggregate } from '../../../runtime/metrics/aggregate.js';
import { MetricRegistry } from '../../../runtime/metrics/registry.js';
import { WorkerMetricStore, type MetricSnapshot } from '../../../runtime/metrics/worker-store.js';

type Msg = { type: 'hello'; n: number } | { type: 'snap'; source: number; snapshot: MetricSnapshot } | { type: 'done' };

const server = createServer();
const accepted: Socket[] = [];
server.on('connection', (s) => accepted.push(s));
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function pair(): Promise<{ a: Wire<Msg, Msg>; b: Wire<Msg, Msg> }> {
  if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const n = accepted.length;
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', r));
  while (accepted.length === n) await new Promise((r) => setTimeout(r, 5));
  return { a: new Wire(client), b: new Wire(accepted[n]) };
}

describe('instance wire', () => {
  test('snapshots from three instances merge into one process\'s percentiles (property)', async () => {
    const values = fc.array(fc.double({ min: 0.001, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 300 });
    await fc.assert(
      fc.asyncProperty(values, values, values, async (...parts) => {
        const registry = new MetricRegistry();
        const one = new WorkerMetricStore(registry);
        const { a, b } = await pair();
        const got: Msg[] = [];
        const done = new Promise<void>((resolve) => b.onMessage((m) => {
          got.push(m);
          if (m.type === 'hello') b.upgrade();
          if (m.type === 'done') resolve();
        }));
        a.send({ type: 'hello', n: 3 });
        a.upgrade();
        parts.forEach((vs, source) => {
          const store = new WorkerMetricStore(registry);
          for (const v of vs) {
            store.add('http_req_duration', v, { status: '200' });
            one.add('http_req_duration', v, { status: '200' });
          }
          a.send({ type: 'snap', source, snapshot: store.snapshot() });
        });
        a.send({ type: 'done' });
        await done;
        a.destroy('done');
        b.destroy('done');
        const merged = new MetricAggregate((n) => registry.get(n));
        for (const m of got) if (m.type === 'snap') merged.merge(m.source, m.snapshot);
        const single = new MetricAggregate((n) => registry.get(n));
        single.merge(0, one.snapshot());
        const [x, y] = [merged.view('http_req_duration'), single.view('http_req_duration')];
        expect(x.count).toBe(parts.flat().length);
        expect(x.count).toBe(y.count);
        expect(x.min).toBe(y.min);
        expect(x.max).toBe(y.max);
        for (const p of [0, 50, 90, 95, 99, 99.9, 100]) expect(x.percentile(p)).toBe(y.percentile(p));
      }),
      { numRuns: 25 },
    );
  });

  test('a frame split over many writes, and many frames in one, are read as sent', async () => {
    const { a, b } = await pair();
    const got: Msg[] = [];
    b.onMessage((m) => got.push(m));
    // One hello frame written a byte at a time.
    const body = Buffer.from(JSON.stringify({ type: 'hello', n: 7 }));
    const frame = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
    for (const byte of frame) a.socket.write(Buffer.from([byte]));
    a.send({ type: 'hello', n: 8 });
    a.send({ type: 'hello', n: 9 });
    while (got.length < 3) await new Promise((r) => setTimeout(r, 5));
    expect(got).toEqual([{ type: 'hello', n: 7 }, { type: 'hello', n: 8 }, { type: 'hello', n: 9 }]);
    a.destroy('done');
    b.destroy('done');
  });

  test('a frame that cannot be read closes the connection, and says why', async () => {
    const { a, b } = await pair();
    const why = new Promise<string>((r) => b.onClose(r));
    a.socket.write(Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from('{{{')]));
    expect(await why).toBe('a frame that could not be read');
    a.destroy('done');
  });
});
