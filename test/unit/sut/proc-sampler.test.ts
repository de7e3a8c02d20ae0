// The /proc sampler against servers in their own processes whose truth the tests set: a known
// share of a core burnt, connections held (across a parent and its child), a PID that exits.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, test } from 'vitest';
import { McprunError } from '../../../runtime/errors.js';
import { SUT_METRIC } from '../../../runtime/metrics/sut-catalogue.js';
import { ProcSampler } from '../../../runtime/sut/proc-sampler.js';
import { checkSutPids } from '../../../runtime/sut/sut-config.js';
import { SutSampler } from '../../../runtime/sut/sut-sampler.js';
import type { SutSample } from '../../../runtime/sut/types.js';
import { burntBy, closeConnections, collectWarnings, holdingServer, openConnections, runBurners, sampleWhere, untilHeld } from '../../support/sut-processes.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sampling(pid: number, intervalMs: number): Promise<SutSampler> {
  const sampler = new SutSampler({ pids: checkSutPids([pid], '--sut-pid'), intervalMs });
  cleanups.push(() => sampler.stop());
  await sampler.start();
  return sampler;
}

describe('the /proc sampler', () => {
  test('sut_cpu of a server burning half of every 100 ms is what it burnt, within 10 %', async () => {
    const server = await holdingServer({ BURN: 0.5 });
    cleanups.push(() => server.close());
    const proc = new ProcSampler(checkSutPids([server.pid], '--sut-pid'));
    // The truth is what the server says it burnt per real second: 0.5 unless the machine is too
    // busy to give it that (other test files run beside this one on 2 cores).
    const shares: { measured: number; burnt: number }[] = [];
    let before = { reading: proc.sample(), burnt: await burntBy(server), at: performance.now() };
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const reading = proc.sample();
      const now = { reading, burnt: await burntBy(server), at: performance.now() };
      shares.push({ measured: reading.values[SUT_METRIC.cpu], burnt: (now.burnt - before.burnt) / ((now.at - before.at) / 1000) });
      before = now;
    }
    const measured = shares.reduce((a, s) => a + s.measured, 0) / shares.length;
    const burnt = shares.reduce((a, s) => a + s.burnt, 0) / shares.length;
    expect(burnt, 'the server burnt CPU').toBeGreaterThan(0.2);
    expect(burnt).toBeLessThan(0.56);
    expect(Math.abs(measured - burnt) / burnt, `sut_cpu ${JSON.stringify(shares)}`).toBeLessThanOrEqual(0.1);
    expect(before.reading.values[SUT_METRIC.threads]).toBeGreaterThanOrEqual(7); // Node: main, V8 and libuv threads
  }, 20_000);

  test('sut_cpu counts short-lived children, seen alive or never, through their parent’s reaped time', async () => {
    const server = await holdingServer({});
    cleanups.push(() => server.close());
    const proc = new ProcSampler([server.pid]);
    let last = performance.now();
    proc.sample(last);
    const own0 = await burntBy(server);
    let finished = false;
    const burnt = runBurners(server, 6).finally(() => (finished = true));
    let measured = 0; // CPU-seconds: the sum of sut_cpu x interval
    const step = () => {
      const now = performance.now();
      measured += (proc.sample(now).values[SUT_METRIC.cpu] ?? 0) * ((now - last) / 1000);
      last = now;
    };
    while (!finished) {
      await new Promise((r) => setTimeout(r, 150));
      step();
    }
    const children = await burnt;
    const own = (await burntBy(server)) - own0;
    await new Promise((r) => setTimeout(r, 50));
    step();
    const truth = own + children;
    expect(children).toBeGreaterThan(0.6);
    expect(Math.abs(measured - truth) / truth, `measured ${measured} CPU-s; the server ${own}, its children ${children}`).toBeLessThanOrEqual(0.1);
  }, 20_000);

  test('sut_open_fds and sut_connections follow the connections a parent and its child hold (500, then 250)', async () => {
    const server = await holdingServer({ CHILDREN: 1 });
    cleanups.push(() => server.close());
    const [parentPort, childPort] = server.ready.ports;
    const sampler = await sampling(server.pid, 500);
    const idle = await sampleWhere(sampler, () => true);
    const baseFds = idle.values[SUT_METRIC.openFds];
    expect(idle.values[SUT_METRIC.connections]).toBe(0);

    const toParent = await openConnections(parentPort, 300);
    const toChild = await openConnections(childPort, 200);
    cleanups.push(() => closeConnections([...toParent, ...toChild]));
    expect(await untilHeld(server, 500)).toBe(500);
    const near = (s: SutSample, n: number) => Math.abs(s.values[SUT_METRIC.connections] - n) <= 3 && Math.abs(s.values[SUT_METRIC.openFds] - baseFds - n) <= 3;
    await sampleWhere(sampler, (s) => near(s, 500));

    await closeConnections([...toParent.slice(0, 150), ...toChild.slice(0, 100)]);
    expect(await untilHeld(server, 250)).toBe(250);
    await sampleWhere(sampler, (s) => near(s, 250));

    // The exact census agrees with the per-second count.
    const proc = new ProcSampler([server.pid]);
    proc.sample();
    await proc.census();
    expect(proc.lastCensus?.established).toBe(250);
    expect(proc.sample().values[SUT_METRIC.connections]).toBe(250);
  }, 20_000);

  test('a census taken while the fds move is not used for sut_connections; one taken when they hold still is', async () => {
    const server = await holdingServer({ FD_RAMP: 1 });
    cleanups.push(() => server.close());
    const proc = new ProcSampler([server.pid]);
    proc.sample();
    await proc.census();
    expect(proc.censuses).toBe(1);
    expect(proc.sample().values[SUT_METRIC.connections]).toBeUndefined();
    server.child.send('calm');
    await once(server.child, 'message');
    proc.sample();
    await proc.census();
    expect(proc.sample().values[SUT_METRIC.connections]).toBe(0);
  });

  test('a PID that does not exist is a config error (104) naming the place and the fix', async () => {
    const gone = spawn(process.execPath, ['-e', '0']);
    await once(gone, 'exit');
    const err = (() => {
      try {
        checkSutPids([gone.pid], 'options.sut.pid');
      } catch (e) {
        return e;
      }
    })();
    expect(McprunError.is(err)).toBe(true);
    expect(err).toMatchObject({ code: 'MCPRUN_SUT_PID', exitCode: 104 });
    expect((err as McprunError).userMessage).toBe(
      `options.sut.pid: no process has PID ${gone.pid}. Start the server first and pass its current PID (e.g. "$(pgrep -n my-server)"); a PID from an earlier start is stale.`,
    );
    expect(() => checkSutPids(['12x'], '--sut-pid')).toThrow(/--sut-pid: "12x" is not a process ID/);
    expect(() => checkSutPids([process.pid], '--sut-pid')).toThrow(/is mcprun itself/);
  });

  test('a PID that dies mid-run: a warning, then samples without values (a gap), never a throw', async () => {
    const server = await holdingServer({});
    cleanups.push(() => server.close());
    const sampler = await sampling(server.pid, 300);
    const warnings = collectWarnings(sampler);
    await sampleWhere(sampler, (s) => s.values[SUT_METRIC.rss] > 0);
    await server.close('SIGKILL');
    const gap = await sampleWhere(sampler, () => warnings.length > 0);
    expect(gap.values).toEqual({});
    expect(warnings).toEqual([
      { code: 'sut_pid_exited', message: `the system under test, PID ${server.pid}, exited; its sut_* series stop here (a gap until the end of the run)`, time: gap.time },
    ]);
    const later = await sampleWhere(sampler, (s) => s.time > gap.time);
    expect(later.values).toEqual({});
    expect(warnings).toHaveLength(1);
  });
});
