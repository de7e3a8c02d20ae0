/**
 * The standalone GET stream against the v1 SDK with its event store (resumable sessions): when the
 * server closes it, mcprun reconnects with Last-Event-ID and gets what was sent while it was down;
 * notifications on it are counted as stream:standalone and delivered to s.on(); s.on() opens it.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mcp } from '../../../dsl/mcp.js';
import { startSdkV1Server } from '../../fixtures/mcp/sdk-v1-server.mjs';
import { testVu } from '../../support/test-vu.js';

type Srv = Awaited<ReturnType<typeof startSdkV1Server>>;
let v1: Srv;

beforeAll(async () => {
  v1 = await startSdkV1Server({ mode: 'stateful', resumable: true });
});
afterAll(async () => {
  await v1.close();
});

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

test('closed by the server, the standalone stream is resumed with Last-Event-ID and nothing sent meanwhile is lost', async () => {
  const vu = testVu('unit');
  const got: string[] = [];
  const before = v1.stats();
  await vu.run(async () => {
    const s = await mcp.connect(v1.url);
    // No handlers, no onNotification: s.on() opens the stream.
    s.on('notifications/tools/list_changed', (m) => got.push(String(m.method)));
    await until(() => v1.stats().streams > before.streams);
    expect(v1.stats().streams).toBe(before.streams + 1);
    expect((await s.callTool('drop-standalone')).error).toBeUndefined();
    await until(() => got.length > 1);
    await s.close();
  });
  const after = v1.stats() as ReturnType<Srv['stats']> & { standaloneDropped?: number };
  expect(after.standaloneDropped).toBe(1);
  // One reconnect, with the first notification's id as Last-Event-ID (the server counts it as a
  // resumption), and the notification sent while the stream was down replayed on it.
  expect(after.resumes).toBe(before.resumes + 1);
  expect(got).toEqual(['notifications/tools/list_changed', 'notifications/tools/list_changed']);
  expect(vu.metric('mcp_notifications', { method: 'notifications/tools/list_changed', stream: 'standalone' }).count).toBe(2);
});
