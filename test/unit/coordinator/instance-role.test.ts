/** `--instances N --coordinator HOST:PORT --instance I` / JOB_COMPLETION_INDEX: read once, bad values refused with the flag named (104). */
import { describe, expect, test } from 'vitest';
import { McprunError } from '../../../runtime/errors.js';
import { instanceRole } from '../../../runtime/coordinator/instances/role.js';

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(McprunError.is(err) && err.exitCode).toBe(104);
    return (err as Error).message;
  }
  throw new Error('not refused');
}

describe('instance role', () => {
  test('one instance without the flags; the index from --instance or JOB_COMPLETION_INDEX', () => {
    expect(instanceRole({}, {})).toBeUndefined();
    expect(instanceRole({ instances: 3, coordinator: '127.0.0.1:6565', instance: '2' }, {})).toEqual({ index: 2, instances: 3, host: '127.0.0.1', port: 6565, token: null });
    expect(instanceRole({ instances: 3, coordinator: 'run-0.run:6565' }, { JOB_COMPLETION_INDEX: '1', MCPRUN_TOKEN: 't' })).toMatchObject({ index: 1, host: 'run-0.run', token: 't' });
    // A port alone: loopback.
    expect(instanceRole({ instances: 2, coordinator: '6565', instance: '0' }, {})).toMatchObject({ host: '127.0.0.1', port: 6565 });
    expect(instanceRole({ instances: 2, coordinator: '[::1]:6565', instance: '0' }, {})).toMatchObject({ host: '::1' });
  });

  test('refused: a missing part, an index out of range, a bad address', () => {
    expect(refusal(() => instanceRole({ coordinator: '127.0.0.1:1' }, {}))).toMatch(/need --instances N/);
    expect(refusal(() => instanceRole({ instances: 3 }, {}))).toMatch(/needs --coordinator HOST:PORT/);
    expect(refusal(() => instanceRole({ instances: 3, coordinator: '127.0.0.1:1' }, {}))).toMatch(/give --instance I \(0 to 2; 0 is the coordinator\) or set JOB_COMPLETION_INDEX/);
    expect(refusal(() => instanceRole({ instances: 3, coordinator: '127.0.0.1:1' }, { JOB_COMPLETION_INDEX: '3' }))).toMatch(/invalid JOB_COMPLETION_INDEX "3": expected a whole number from 0 to 2/);
    expect(refusal(() => instanceRole({ instances: 3, coordinator: '127.0.0.1:99999', instance: '0' }, {}))).toMatch(/invalid --coordinator "127.0.0.1:99999"/);
  });

  test('the coordinator listening beyond loopback needs MCPRUN_TOKEN; the others need none to start', () => {
    expect(refusal(() => instanceRole({ instances: 2, coordinator: '0.0.0.0:6565', instance: '0' }, {}))).toMatch(/listens beyond loopback, which needs a per-run token: MCPRUN_TOKEN is not set/);
    expect(instanceRole({ instances: 2, coordinator: '0.0.0.0:6565', instance: '0' }, { MCPRUN_TOKEN: 'x'.repeat(43) })).toMatchObject({ index: 0 });
    expect(instanceRole({ instances: 2, coordinator: '10.0.0.5:6565', instance: '1' }, {})).toMatchObject({ index: 1, token: null });
  });
});
