import { describe, expect, test } from 'vitest';
import { MemoryPerConnection, memoryPerConnectionByPhase } from '../../../runtime/sut/memory-per-connection.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Feeds [connections, rss] pairs one second apart from t=0; returns the measurements. */
function feed(m: MemoryPerConnection, pairs: [number, number][]) {
  return pairs.map(([c, rss], i) => m.observe(i * 1000, rss, c)).filter((x) => x !== undefined);
}

describe('sut_memory_per_connection', () => {
  test('RSS growth since the last sample before the first connection, per connection added, once per plateau', () => {
    const m = new MemoryPerConnection();
    const got = feed(m, [
      [2, 50 * MiB], // settling: the baseline follows it
      [2, 40 * MiB],
      [2, 41 * MiB], // last sample before the rise: the baseline
      [500, 60 * MiB],
      [1002, 90 * MiB],
      [1002, 105 * MiB],
      [1003, 105 * MiB],
      [1002, 105 * MiB], // same plateau: not measured again
      [2002, 169 * MiB],
      [2002, 169 * MiB],
      [2002, 169 * MiB],
    ]);
    expect(got.map((g) => [g.connections, g.baselineConnections, g.baselineRss, g.perConnection])).toEqual([
      [1003, 2, 41 * MiB, (64 * MiB) / 1001],
      [2002, 2, 41 * MiB, (128 * MiB) / 2000],
    ]);
    expect(m.measurements).toEqual(got);
  });

  test('no figure below minConnections added, none without a rise, never negative', () => {
    const few = new MemoryPerConnection({ minConnections: 100 });
    expect(feed(few, [[0, 10], [50, 20], [50, 20], [50, 20], [50, 20]])).toEqual([]);
    const shrinking = new MemoryPerConnection({ samples: 2 });
    expect(feed(shrinking, [[0, 10 * MiB], [300, 9 * MiB], [300, 9 * MiB]]).map((g) => g.perConnection)).toEqual([0]);
  });

  test('per phase: the last plateau inside each window', () => {
    const m = new MemoryPerConnection({ samples: 2 });
    feed(m, [[0, 0], [1000, 1000 * KiB], [1000, 1000 * KiB], [3000, 6000 * KiB], [3000, 6000 * KiB], [2000, 6000 * KiB], [2000, 6000 * KiB]]);
    const byPhase = memoryPerConnectionByPhase(m.measurements, [
      { name: 'ramp', start: 0, end: 4000 },
      { name: 'cooldown', start: 4001, end: 6000 },
      { name: 'after', start: 7000, end: 9000 },
    ]);
    expect(byPhase.ramp?.perConnection).toBe(2 * KiB);
    expect(byPhase.cooldown?.perConnection).toBe(3 * KiB);
    expect(byPhase.after).toBeUndefined();
  });
});
