/** The shared timeouts of WebSocket handshakes, next()/ping() and close handshakes. */
import { describe, expect, test } from 'vitest';
import { Deadlines } from '../../../runtime/protocols/ws/deadlines.js';

describe('Deadlines', () => {
  test('items fire once, in deadline order per duration; deleted ones never fire', async () => {
    const fired: string[] = [];
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const d = new Deadlines<string>((x) => {
      fired.push(x);
      if (fired.length === 4) done();
    });
    d.add('a30', 30);
    d.add('b5', 5);
    d.add('gone', 5);
    d.add('c5', 5);
    d.delete('gone', 5);
    d.delete('not-there', 5);
    await new Promise((r) => setTimeout(r, 2));
    d.add('d5', 5); // later than b5/c5: fires after them
    await all;
    expect(fired).toEqual(['b5', 'c5', 'd5', 'a30']);
  });

  test('a bucket emptied by delete() keeps no timer (the process can exit)', async () => {
    const d = new Deadlines<object>(() => {
      throw new Error('must not fire');
    });
    const o = {};
    d.add(o, 60_000);
    d.delete(o, 60_000);
    const before = (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    d.add(o, 60_000);
    const during = (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    d.delete(o, 60_000);
    const after = (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(during).toBe(before + 1);
    expect(after).toBe(before);
  });
});
