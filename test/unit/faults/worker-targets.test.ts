/**
 * A worker's targets (worker-targets.ts): target(name)'s URL is the proxy's own port on
 * 127.0.0.1 (or the upstream without a proxy), dial() hands mcprun's clients an in-memory
 * connection for a proxy's address only, and faults switched on act on it; against a real
 * echo server that counts the bytes it got.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { Socket } from 'node:net';
import { WorkerTargets } from '../../../runtime/protocols/fault-proxy/worker-targets.js';
import { echoServer, fault, until } from '../../fixtures/faults/proxy-harness.js';

const open: WorkerTargets[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

async function targets(port: number): Promise<WorkerTargets> {
  const t = new WorkerTargets([
    { name: 'api', upstream: { url: `http://127.0.0.1:${port}`, scheme: 'http', host: '127.0.0.1', port }, proxy: { protocol: 'tcp' } },
    { name: 'app', upstream: { url: 'http://127.0.0.1:9/', scheme: 'http', host: '127.0.0.1', port: 9 }, proxy: undefined },
  ]);
  open.push(t);
  await t.start();
  return t;
}

function roundTrip(s: Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    s.once('data', (d: Buffer) => resolve(d.toString()));
    s.once('error', reject);
    s.write(text);
  });
}

describe('WorkerTargets', () => {
  test('URLs: the proxy on 127.0.0.1 for a proxied target, the upstream (no trailing slash) otherwise; an unknown name names the known ones', async () => {
    const echo = await echoServer();
    const t = await targets(echo.port);
    expect(t.urlOf('api')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(t.urlOf('api')).not.toBe(`http://127.0.0.1:${echo.port}`);
    expect(t.urlOf('app')).toBe('http://127.0.0.1:9');
    expect(() => t.urlOf('apj')).toThrow(/target\("apj"\): this run has no target of that name; its targets are api, app/);
  });

  test("dial(): in memory to the proxy's address only; bytes reach the upstream through it", async () => {
    const echo = await echoServer();
    const t = await targets(echo.port);
    const port = Number(new URL(t.urlOf('api')).port);
    expect(t.dial('127.0.0.1', echo.port)).toBeUndefined();
    expect(t.dial('10.0.0.1', port)).toBeUndefined();
    const s = t.dial('127.0.0.1', port)!;
    expect(s.constructor.name).toBe('MemorySocket');
    await new Promise((r) => s.once('connect', r));
    expect(await roundTrip(s, 'hello')).toBe('hello');
    expect(echo.received).toBe(5);
    s.destroy();
  });

  test('a fault switched on acts on in-memory connections: blackhole drops bytes, off lets them through again', async () => {
    const echo = await echoServer();
    const t = await targets(echo.port);
    const port = Number(new URL(t.urlOf('api')).port);
    await t.faultOn('api', fault('cut', { kind: 'blackhole' }));
    const s = t.dial('127.0.0.1', port)!;
    // A connection that lost bytes is reset when the partition ends.
    const reset = new Promise<string>((r) => s.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? '')));
    await new Promise((r) => s.once('connect', r));
    s.write('lost');
    await new Promise((r) => setTimeout(r, 200));
    expect(echo.received).toBe(0);
    await t.faultOff('api', 'cut');
    const s2 = t.dial('127.0.0.1', port)!;
    await new Promise((r) => s2.once('connect', r));
    expect(await roundTrip(s2, 'back')).toBe('back');
    expect(await until(() => echo.received === 4)).toBe(true);
    expect(t.counters().cut.bytesDropped).toBe(4);
    expect(await reset).toBe('ECONNRESET');
    s.destroy();
    s2.destroy();
  });
});
