/**
 * capacity-search against a server whose capacity the test sets: it answers at most 400 requests
 * per second (a token bucket, burst 40) and queues every request beyond that, FIFO, so latency
 * grows without bound above 400/s and stays near zero below. The reported capacity must be 400/s
 * within one step, and the step above it must be shown failing its SLA.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const tmp = tempDir('mcprun-capacity-');
const CAPACITY = 400;
const BURST = 40;

interface Limited {
  url: string;
  served: () => number;
  close(): Promise<void>;
}

async function startLimited(perSecond: number, delayMs = 0): Promise<Limited> {
  let tokens = BURST;
  let last = performance.now();
  let served = 0;
  const queue: ServerResponse[] = [];
  const refill = () => {
    const now = performance.now();
    tokens = Math.min(BURST, tokens + ((now - last) * perSecond) / 1000);
    last = now;
  };
  const answer = (res: ServerResponse) => {
    served++;
    if (delayMs) setTimeout(() => res.end('ok'), delayMs);
    else res.end('ok');
  };
  const drain = setInterval(() => {
    refill();
    while (queue.length && tokens >= 1) {
      tokens--;
      answer(queue.shift()!);
    }
  }, 2);
  const server: Server = createServer((_req, res) => {
    refill();
    if (!queue.length && tokens >= 1) {
      tokens--;
      answer(res);
    } else queue.push(res);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    served: () => served,
    close: () =>
      new Promise<void>((r) => {
        clearInterval(drain);
        for (const res of queue) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let limited: Limited;
beforeAll(async () => {
  limited = await startLimited(CAPACITY);
});
afterAll(async () => {
  await limited?.close();
});

async function search(env: Record<string, string>, name: string) {
  const file = join(tmp, `${name}.json`);
  const dir = join(tmp, `${name}-reports`);
  const r = await runCli(['test/fixtures/capacity/search.ts', '--summary-export', file, '--report-dir', dir, '--no-progress', '--workers', '1'], { env, timeoutMs: 90_000 });
  let summary: any;
  try {
    summary = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`no summary (exit ${r.code})\n${r.stdout}\n${r.stderr}`);
  }
  return { ...r, summary, dir };
}

describe('capacity-search', () => {
  test('a server that queues beyond 400/s: capacity 400/s within one step, the step above fails its SLA, later steps skipped', async () => {
    const r = await search({ TARGET: limited.url, FROM: '200', STEP: '100', MAX: '800', HOLD: '2s' }, 'limited');
    const cap = r.summary.mcprun.capacity[0];
    const why = `${r.stdout}\n${r.stderr}\n${JSON.stringify(cap, null, 1)}`;
    expect(r.code, why).toBe(0);
    expect(cap.search).toBe('find');
    expect(Math.abs(cap.capacity - CAPACITY), why).toBeLessThanOrEqual(100);
    const rates = cap.steps.map((s: any) => s.rate);
    expect(rates).toEqual([200, 300, 400, 500, 600, 700, 800]);
    const firstFail = cap.steps.find((s: any) => s.verdict !== 'pass');
    expect(firstFail.verdict, why).toBe('fail');
    expect(firstFail.rate).toBe(cap.capacity + 100);
    expect(firstFail.reasons.join(' '), why).toMatch(/http_req_duration: 'p95<250ms'/);
    // Every step below the failing one passed; every step above it never ran.
    for (const s of cap.steps) {
      if (s.rate < firstFail.rate) expect(s.verdict).toBe('pass');
      if (s.rate > firstFail.rate) expect(s.verdict).toBe('skipped');
    }
    const ran = r.summary.mcprun.scenarios.filter((s: any) => s.iterations > 0).map((s: any) => s.name);
    expect(ran).toEqual(cap.steps.filter((s: any) => s.verdict !== 'skipped').map((s: any) => s.scenario));
    // The server's own count: what the steps that ran offered it (each step's rate × hold), give or take the in-flight tail.
    const offered = cap.steps.filter((s: any) => s.verdict !== 'skipped').reduce((a: number, s: any) => a + s.rate * 2, 0);
    expect(limited.served()).toBeGreaterThan(offered * 0.9);
    expect(r.stdout).toMatch(/CAPACITY/);
    expect(r.stdout).toMatch(new RegExp(`capacity ${cap.capacity}/s; step \\d \\(${firstFail.rate}/s\\) failed its SLA`));
    const [sub] = readdirSync(r.dir);
    const md = readFileSync(join(r.dir, sub, 'report.md'), 'utf8');
    expect(md).toMatch(/## Capacity: find/);
    expect(md).toMatch(/\| FAIL \|/);
    expect(md).toMatch(/find-step\d/);
    expect(readFileSync(join(r.dir, sub, 'report.html'), 'utf8')).toMatch(/<section id="capacity-find">/);
  }, 120_000);

  test('a step where the generator fell behind is inconclusive, not a pass', async () => {
    const slow = await startLimited(100_000, 50);
    try {
      // 2 VUs at 50 ms each can start 40 iterations/s: 100/s cannot be offered.
      const r = await search({ TARGET: slow.url, FROM: '100', STEP: '100', MAX: '300', HOLD: '1s', PRE: '2', MAX_VUS: '2' }, 'behind');
      const cap = r.summary.mcprun.capacity[0];
      expect(cap.steps[0].verdict).toBe('inconclusive');
      expect(cap.steps[0].droppedIterations).toBeGreaterThan(0);
      expect(cap.steps[0].reasons[0]).toMatch(/dropped \d+ iterations/);
      expect(cap.steps.slice(1).every((s: any) => s.verdict === 'skipped')).toBe(true);
      expect(cap.capacity).toBeNull();
      expect(cap.conclusion).toMatch(/inconclusive/);
      // No step held: the search failed, and the run says so.
      expect(r.code).toBe(99);
      expect(r.stdout).toMatch(/FAIL — capacity search find/);
    } finally {
      await slow.close();
    }
  }, 120_000);
});
