/**
 * The results block pod 0 ends its log with under `mcprun k8s --apply`: what goes in comes out,
 * whatever way the log is cut into chunks; lines the container log interleaves into it are shown,
 * not lost; a block cut short or damaged is reported, never half-written; a file name that would
 * leave the report folder is refused. And the pod states `--apply` acts on, from kubectl's JSON.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isMcprunExitCode, jobFailure, podZeroState } from '../../../runtime/k8s/pod-state.js';
import { encodeResultsBlock, ResultsBlockReader, type ResultsPayload } from '../../../runtime/k8s/results-block.js';
import { packFolder, unpackInto } from '../../../runtime/k8s/results-files.js';
import { tempDir } from '../../support/temp.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const PAYLOAD: ResultsPayload = { v: 1, exitCode: 99, files: { 'summary.json': b64('{"a":1}\n'), 'reports/r/report.md': b64('# Report\n') }, skipped: [] };

function readAll(chunks: string[]) {
  const reader = new ResultsBlockReader();
  let shown = '';
  for (const c of chunks) shown += reader.feed(c);
  shown += reader.end();
  return { reader, shown };
}

describe('the results block', () => {
  test('what goes in comes out, the log around it shown as it was, however the stream is cut (property)', () => {
    const before = 'RESULT FAIL\nsummary line 2\n';
    const after = 'a line after\nno newline at the end';
    const log = before + encodeResultsBlock(PAYLOAD) + after;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: log.length }), { maxLength: 12 }), (cuts) => {
        const at = [0, ...[...cuts].sort((a, b) => a - b), log.length];
        const { reader, shown } = readAll(at.slice(1).map((end, i) => log.slice(at[i], end)));
        expect(reader.payload).toEqual(PAYLOAD);
        expect(reader.problem).toBeUndefined();
        expect(shown).toBe(before + after);
      }),
    );
  });

  test('a line of stderr the container log puts inside the block is shown, and the block still decodes', () => {
    const lines = encodeResultsBlock({ ...PAYLOAD, files: { big: b64('x'.repeat(5000)) } }).split('\n');
    lines.splice(3, 0, 'mcprun: a warning on stderr');
    const { reader, shown } = readAll([lines.join('\n')]);
    expect(shown).toBe('mcprun: a warning on stderr\n');
    expect(Buffer.from(reader.payload!.files.big, 'base64').toString()).toBe('x'.repeat(5000));
  });

  test('a block cut short (a rotated log, a broken stream) or damaged is a problem, not a payload', () => {
    // Random bytes do not shrink in gzip: a block of some 55 lines.
    const block = encodeResultsBlock({ ...PAYLOAD, files: { big: randomBytes(3000).toString('base64') } });
    const lines = block.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    const cut = readAll([lines.slice(0, 4).join('\n') + '\n']);
    expect(cut.reader.payload).toBeUndefined();
    expect(cut.reader.problem).toMatch(/cut short/);
    const damaged = [...lines];
    damaged[2] = `mcprun-results ${'A'.repeat(damaged[2].length - 15)}`;
    const bad = readAll([damaged.join('\n') + '\n']);
    expect(bad.reader.payload).toBeUndefined();
    expect(bad.reader.problem).toMatch(/damaged/);
  });

  test('a log followed again from its start: the unfinished line is taken whole from the new stream, not twice', () => {
    const reader = new ResultsBlockReader();
    expect(reader.feed('one\ntw')).toBe('one\n');
    reader.restart();
    // The new stream, its first `reader.lines` lines skipped by the caller, starts at "two".
    expect(reader.feed('two\nthree\n')).toBe('two\nthree\n');
    expect(reader.lines).toBe(3);
  });

  test('the lines counted are every whole line, the block\'s included (to resume a log)', () => {
    const block = encodeResultsBlock(PAYLOAD);
    const { reader } = readAll(['a\nb\n', block]);
    expect(reader.lines).toBe(2 + block.trimEnd().split('\n').length);
  });
});

describe('the files of the block', () => {
  test('a folder packed and unpacked is the same files; past the budget, files are named instead', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'reports', 'run-1'), { recursive: true });
    writeFileSync(join(dir, 'summary.json'), '{"ok":true}');
    writeFileSync(join(dir, 'reports', 'run-1', 'report.html'), '<html>');
    writeFileSync(join(dir, 'timeseries.ndjson'), 'z'.repeat(1000));
    const packed = packFolder(dir, 0, 100);
    expect(Object.keys(packed.files).sort()).toEqual(['reports/run-1/report.html', 'summary.json']);
    expect(packed.skipped).toEqual([{ path: 'timeseries.ndjson', bytes: 1000 }]);
    const out = join(tempDir(), 'local');
    unpackInto(packed, out);
    expect(readFileSync(join(out, 'reports', 'run-1', 'report.html'), 'utf8')).toBe('<html>');
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe('{"ok":true}');
  });

  test.each(['../escape.txt', '/etc/escape.txt', 'a/../../escape.txt'])('a file named %s is refused, nothing written outside', (path) => {
    const root = tempDir();
    const out = join(root, 'local');
    expect(() => unpackInto({ v: 1, exitCode: 0, files: { [path]: b64('x') }, skipped: [] }, out)).toThrow(/outside the report folder/);
    expect(existsSync(join(root, 'escape.txt'))).toBe(false);
  });
});

describe("pod 0's state from kubectl's JSON", () => {
  const pod = (status: object, name = 'run-0-abcde', created = '2026-01-01T00:00:00Z') => ({ metadata: { name, creationTimestamp: created }, status });
  const list = (...items: object[]) => JSON.stringify({ items });

  test('absent, waiting (fatal for a bad image or a missing Secret), running, terminated with its code', () => {
    expect(podZeroState(list())).toEqual({ kind: 'absent' });
    expect(podZeroState(list(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available' }] })))).toMatchObject({ kind: 'waiting', reason: 'Unschedulable', fatal: false });
    expect(podZeroState(list(pod({ containerStatuses: [{ state: { waiting: { reason: 'ImagePullBackOff', message: 'not found' } } }] })))).toMatchObject({ kind: 'waiting', reason: 'ImagePullBackOff', fatal: true });
    expect(podZeroState(list(pod({ containerStatuses: [{ state: { waiting: { reason: 'CreateContainerConfigError' } } }] })))).toMatchObject({ fatal: true });
    expect(podZeroState(list(pod({ containerStatuses: [{ state: { running: {} } }] })))).toEqual({ kind: 'running', pod: 'run-0-abcde' });
    expect(podZeroState(list(pod({ containerStatuses: [{ state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] })))).toEqual({ kind: 'terminated', pod: 'run-0-abcde', exitCode: 137, reason: 'OOMKilled' });
    expect(podZeroState(list(pod({ phase: 'Failed', reason: 'Evicted' })))).toMatchObject({ kind: 'terminated', exitCode: -1, reason: 'Evicted' });
  });

  test('the oldest pod 0 counts (one started again later is turned away by the coordinator)', () => {
    const later = pod({ containerStatuses: [{ state: { running: {} } }] }, 'run-0-later', '2026-01-01T00:05:00Z');
    const first = pod({ containerStatuses: [{ state: { terminated: { exitCode: 0 } } }] }, 'run-0-first', '2026-01-01T00:00:00Z');
    expect(podZeroState(list(later, first))).toMatchObject({ pod: 'run-0-first', kind: 'terminated' });
  });

  test("a Job's failure and mcprun's own exit codes", () => {
    expect(jobFailure(JSON.stringify({ status: { conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }] } }))).toBe('DeadlineExceeded: Job was active longer than specified deadline');
    expect(jobFailure(JSON.stringify({ status: { conditions: [{ type: 'Complete', status: 'True' }] } }))).toBeUndefined();
    for (const c of [0, 99, 104, 105, 106, 107, 108, 109, 110]) expect(isMcprunExitCode(c)).toBe(true);
    for (const c of [1, 137, 143, -1]) expect(isMcprunExitCode(c)).toBe(false);
  });
});
