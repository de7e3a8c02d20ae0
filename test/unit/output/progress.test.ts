/** The live progress line (non-TTY form): what it says about VUs. */
import { Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { createProgress } from '../../../runtime/output/progress.js';

test('the status line says the VUs busy over those allocated (an arrival-rate scenario is not shown as 0 VUs)', () => {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  const p = createProgress(stream, { enabled: true, tty: false });
  p.update({ elapsedMs: 10_000, vus: 1, vusAllocated: 20, reqRate: 20, errors: 0, scenarios: [{ name: 'open', state: 'running', elapsedMs: 10_000, plannedMs: 60_000, iterations: 200 }] });
  p.stop();
  expect(text).toBe('mcprun: 10s elapsed, running open, 1/20 VUs busy, 200 iterations, 20 req/s, 0 errors\n');
});
