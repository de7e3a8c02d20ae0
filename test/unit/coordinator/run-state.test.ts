/** A run's exit code from its outcome (coordinator/run-state.ts), and how the first word on each counts. */
import { describe, expect, test } from 'vitest';
import { EXIT_CODES } from '../../../runtime/exit-codes.js';
import { McprunError } from '../../../runtime/errors.js';
import { exitCodeOf, RunState, type RunOutcome } from '../../../runtime/coordinator/run-state.js';

const lost = new McprunError('MCPRUN_WORKER', 'worker 1 died (exit code 1)');
const none: RunOutcome = { thresholdsFailed: false, workerFailure: undefined, requestedExit: undefined, aborted: null };

describe('exitCodeOf', () => {
  test.each<[string, Partial<RunOutcome>, number]>([
    ['ran to its end, every threshold held', {}, 0],
    ['a threshold failed', { thresholdsFailed: true }, 99],
    ['stopped from outside, thresholds held', { aborted: 'SIGINT' }, 105],
    ['stopped from outside, a threshold failed: the stop decides', { aborted: 'SIGINT', thresholdsFailed: true }, 105],
    ['an abortOnFail threshold stopped it', { aborted: 'threshold', requestedExit: 108, thresholdsFailed: true }, 108],
    ['teardown() threw after a full run', { requestedExit: 107 }, 107],
    ['teardown() threw after Ctrl-C: the script error decides', { aborted: 'SIGINT', requestedExit: 107 }, 107],
    ['a worker died', { workerFailure: lost }, 106],
    ['a worker died while an abortOnFail threshold stopped the run: the lost worker decides', { workerFailure: lost, requestedExit: 108, aborted: 'threshold', thresholdsFailed: true }, 106],
    ['a worker died and a threshold failed', { workerFailure: lost, thresholdsFailed: true }, 106],
  ])('%s → %i', (_name, outcome, code) => {
    expect(exitCodeOf({ ...none, ...outcome })).toBe(code);
  });
});

describe('RunState', () => {
  test('the first stop names the reason; a later one neither replaces it nor its code', () => {
    const s = new RunState();
    expect(s.abort('threshold failed with abortOnFail', EXIT_CODES.THRESHOLD_ABORT)).toBe(true);
    expect(s.abort('stopped from outside (SIGINT/SIGTERM)')).toBe(false);
    s.fail(EXIT_CODES.SCRIPT_ERROR);
    expect(s.aborted).toBe('threshold failed with abortOnFail');
    expect(exitCodeOf(s.outcome(true))).toBe(EXIT_CODES.THRESHOLD_ABORT);
  });

  test('a stop from outside has no code of its own: a teardown failure after it decides', () => {
    const s = new RunState();
    s.abort('stopped from outside (SIGINT/SIGTERM)');
    s.fail(EXIT_CODES.SCRIPT_ERROR);
    expect(exitCodeOf(s.outcome(false))).toBe(EXIT_CODES.SCRIPT_ERROR);
  });

  test('the first lost worker is the one reported', () => {
    const s = new RunState();
    s.workerFailed(lost);
    s.workerFailed(new McprunError('MCPRUN_WORKER', 'worker 2 died'));
    expect(s.workerFailure).toBe(lost);
    expect(exitCodeOf(s.outcome(false))).toBe(EXIT_CODES.WORKER_FAILED);
  });
});
