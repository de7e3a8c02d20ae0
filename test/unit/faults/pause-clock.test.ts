import { describe, expect, test } from 'vitest';
import { PauseClock } from '../../../runtime/faults/pause-clock.js';

describe('PauseClock: load time with the pauses taken out', () => {
  test('stands still while paused, and goes on from where it stood', () => {
    const c = new PauseClock();
    expect(c.at(1000)).toBe(1000);
    c.pause(1000);
    expect(c.paused).toBe(true);
    expect(c.at(2500)).toBe(1000);
    c.resume(3000);
    expect(c.paused).toBe(false);
    expect(c.at(3000)).toBe(1000);
    expect(c.at(4000)).toBe(2000);
    c.pause(5000);
    c.pause(5500); // a second pause while paused changes nothing
    c.resume(6000);
    c.resume(7000); // nor does a resume when not paused
    expect(c.at(8000)).toBe(5000);
  });

  test('paused from the start (--paused): the clock starts at the first resume', () => {
    const c = new PauseClock();
    c.pause(0);
    c.resume(1200);
    expect(c.at(1200)).toBe(0);
    expect(c.at(3200)).toBe(2000);
  });
});
