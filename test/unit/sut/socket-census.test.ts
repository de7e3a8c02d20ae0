import { afterEach, describe, expect, test } from 'vitest';
import { scanEstablished, takeSocketCensus } from '../../../runtime/sut/socket-census.js';
import { closeConnections, holdingServer, openConnections, untilHeld } from '../../support/sut-processes.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:A4B2 01 00000000:00000000 00:00000000 00000000  1000        0 222 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F90 0100007F:A4B4 08 00000000:00000000 00:00000000 00000000  1000        0 333 1 0000000000000000 20 4 30 10 -1
10000: 0100007F:1F90 0100007F:A4B6 01 00000000:00000000 00:00000000 00000000 65534        0 4444444 1 0000000000000000 20 4 30 10 -1
   4: 0100007F:1F90 0100007F:A4B8 01 00000000:00000000 00:00000000 00000000     0        0 555 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `   0: 0000000000000000FFFF00000100007F:9E9B 0000000000000000FFFF00000100007F:9A22 01 00000000:00000000 00:00000000 00000000     0        0 666 1 0000000000000000 20 4 30 10 -1
   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0
`;

describe('the connection census', () => {
  test('counts ESTABLISHED (01) lines of tcp and tcp6 whose inode the tree holds, each once', () => {
    const buf = Buffer.from(TCP, 'latin1');
    const mine = new Set([111, 222, 333, 4444444, 666, 777, 999]);
    expect(scanEstablished(buf, buf.indexOf(10) + 1, buf.length, mine)).toBe(2); // 222, 4444444 (555 is not ours; 111 listens; 333 is CLOSE_WAIT)
    const six = Buffer.from(TCP6, 'latin1');
    expect(scanEstablished(six, 0, six.length, mine)).toBe(1);
    expect(scanEstablished(buf, buf.indexOf(10) + 1, buf.length, mine)).toBe(0); // counted ones left the set
  });

  test('a dual-stack server (listening on ::) taking IPv4 connections: found in tcp6', async () => {
    const server = await holdingServer({ HOST: '::' });
    cleanups.push(() => server.close());
    const sockets = await openConnections(server.ready.ports[0], 120);
    cleanups.push(() => closeConnections(sockets));
    expect(await untilHeld(server, 120)).toBe(120);
    const census = await takeSocketCensus([server.pid]);
    expect(census.established).toBe(120);
    expect(census.sockets).toBeGreaterThanOrEqual(121); // and the listener, and the IPC channel's
    expect(census.fds).toBeGreaterThan(census.sockets);
    expect(census.costMs).toBeGreaterThan(0);
  });
});
