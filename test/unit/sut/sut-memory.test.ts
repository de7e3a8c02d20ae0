// sut_memory_per_connection against a server that holds a known number of bytes per connection,
// in its own process. The server's own per-socket cost is not guessed: the same server holding
// 0 bytes extra measures it, side by side, and the expected figure is 64 KiB plus that.
import { afterEach, describe, expect, test } from 'vitest';
import { SUT_METRIC } from '../../../runtime/metrics/sut-catalogue.js';
import { SutSampler } from '../../../runtime/sut/sut-sampler.js';
import { closeConnections, heldBy, holdingServer, openConnections, sampleWhere, untilHeld, type HoldingReady, type ServerProcess } from '../../support/sut-processes.js';

const CONNECTIONS = 1000;
const HOLD = 64 * 1024;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function measure(server: ServerProcess<HoldingReady>) {
  const sampler = new SutSampler({ pids: [server.pid], intervalMs: 500 });
  cleanups.push(() => sampler.stop());
  await sampler.start();
  const measured = sampleWhere(sampler, (s) => s.values[SUT_METRIC.memoryPerConnection] !== undefined, 12_000);
  const sockets = await openConnections(server.ready.ports[0], CONNECTIONS);
  cleanups.push(() => closeConnections(sockets));
  const sample = await measured;
  await untilHeld(server, CONNECTIONS);
  return { sample, plateau: sampler.measurements[0], held: await heldBy(server) };
}

describe('sut_memory_per_connection (real server process, 1,000 connections)', () => {
  test('is 64 KiB plus the server’s own per-socket cost, within 15 %', async () => {
    const [holding, bare] = await Promise.all([holdingServer({ HOLD_BYTES: HOLD }), holdingServer({ HOLD_BYTES: 0 })]);
    cleanups.push(() => holding.close(), () => bare.close());
    const [withHold, without] = await Promise.all([measure(holding), measure(bare)]);

    // The servers say what they hold.
    expect(withHold.held).toEqual({ connections: CONNECTIONS, heldBytes: CONNECTIONS * HOLD });
    expect(without.held.connections).toBe(CONNECTIONS);
    // The plateau was measured at the connections the server holds, counted from /proc.
    for (const m of [withHold.plateau, without.plateau]) expect(Math.abs(m.connections - m.baselineConnections - CONNECTIONS)).toBeLessThanOrEqual(2);

    const perSocket = without.sample.values[SUT_METRIC.memoryPerConnection];
    const expected = HOLD + perSocket;
    const got = withHold.sample.values[SUT_METRIC.memoryPerConnection];
    // A few KB per socket, which a busy machine's RSS noise can hide altogether (growth is never negative).
    expect(perSocket).toBeGreaterThanOrEqual(0);
    expect(perSocket).toBeLessThan(HOLD / 4);
    expect(Math.abs(got - expected) / expected, `got ${got} B, expected ${HOLD} + ${perSocket.toFixed(0)} B`).toBeLessThanOrEqual(0.15);
  }, 20_000);
});
