import { describe, expect, test } from 'vitest';
import { ExpositionMapper } from '../../../runtime/sut/prometheus-mapping.js';
import { parseExposition } from '../../../runtime/sut/prometheus-text.js';

const NODE_GC = `# HELP nodejs_gc_duration_seconds Garbage collection duration by kind.
# TYPE nodejs_gc_duration_seconds histogram
nodejs_gc_duration_seconds_bucket{le="0.001",kind="minor"} 3
nodejs_gc_duration_seconds_bucket{le="+Inf",kind="minor"} 5
nodejs_gc_duration_seconds_sum{kind="minor"} 0.012
nodejs_gc_duration_seconds_count{kind="minor"} 5
nodejs_gc_duration_seconds_bucket{le="+Inf",kind="major"} 2
nodejs_gc_duration_seconds_sum{kind="major"} 0.02
nodejs_gc_duration_seconds_count{kind="major"} 2
`;

describe('parseExposition', () => {
  test('histogram series keep their labels: _sum and _count per kind survive', () => {
    const { samples, malformed } = parseExposition(NODE_GC);
    expect(malformed).toBe(0);
    expect(samples.filter((s) => s.name.endsWith('_sum'))).toEqual([
      { name: 'nodejs_gc_duration_seconds_sum', labels: { kind: 'minor' }, value: 0.012 },
      { name: 'nodejs_gc_duration_seconds_sum', labels: { kind: 'major' }, value: 0.02 },
    ]);
    expect(samples.find((s) => s.labels.le === '+Inf')?.value).toBe(5);
  });

  test('escapes, special values, timestamps, exemplars, CRLF, comments, quoted UTF-8 names', () => {
    const text = [
      '# a comment',
      'a{path="C:\\\\x",msg="say \\"hi\\"\\nbye"} 1 1700000000000',
      'b +Inf',
      'c -Inf',
      'd NaN',
      'e{} 2.5e3\r',
      'f_total{code="500"} 7 # {trace_id="abc"} 1.0 1700000000.000',
      '{"http.requests", code="200"} 9',
      '  g   4  ',
      '# EOF',
    ].join('\n');
    const { samples, malformed } = parseExposition(text);
    expect(malformed).toBe(0);
    expect(samples.map((s) => [s.name, s.labels, s.value])).toEqual([
      ['a', { path: 'C:\\x', msg: 'say "hi"\nbye' }, 1],
      ['b', {}, Infinity],
      ['c', {}, -Infinity],
      ['d', {}, NaN],
      ['e', {}, 2500],
      ['f_total', { code: '500' }, 7],
      ['http.requests', { code: '200' }, 9],
      ['g', {}, 4],
    ]);
  });

  test('a malformed line is skipped and counted; the rest of the scrape stays', () => {
    const { samples, malformed } = parseExposition('ok 1\nbad{x="1" 2\nno_value\n9leading 1\nworse{x=1} 3\nok2 2\n');
    expect(samples.map((s) => s.name)).toEqual(['ok', 'ok2']);
    expect(malformed).toBe(4);
  });

  test('`wanted` skips other families before their labels are read', () => {
    const { samples } = parseExposition(`${NODE_GC}other{broken 1\n`, (n) => n === 'nodejs_gc_duration_seconds_count');
    expect(samples.map((s) => s.value)).toEqual([5, 2]);
  });
});

describe('ExpositionMapper', () => {
  const at = (sec: number) => sec * 1000;
  const scrape = (cpu: number, gcSum: number, gcCount: number, req500: number, req200: number) =>
    parseExposition(
      `process_resident_memory_bytes 1048576\nprocess_open_fds 42\nprocess_cpu_seconds_total ${cpu}\n` +
        `go_threads 9\ngo_gc_duration_seconds{quantile="0.5"} 0.0001\ngo_gc_duration_seconds_sum ${gcSum}\ngo_gc_duration_seconds_count ${gcCount}\n` +
        `http_requests_total{code="500",method="GET"} ${req500}\nhttp_requests_total{code="500",method="POST"} ${req500}\nhttp_requests_total{code="200",method="GET"} ${req200}\n`,
    ).samples;

  test('process gauges as they are; counters as rates over the real time between scrapes; GC from _sum/_count', () => {
    const m = new ExpositionMapper({
      series: [
        { name: 'http_requests_total', labels: { code: '500' }, as: 'rate' },
        { name: 'http_requests_total', as: 'gauge', metric: 'sut_requests_seen' },
      ],
    });
    const first = m.map(scrape(10, 0.5, 100, 0, 0), at(0));
    expect(first).toEqual({ sut_rss: 1048576, sut_open_fds: 42, sut_threads: 9, sut_requests_seen: 0 });
    const second = m.map(scrape(11, 0.53, 130, 100, 40), at(2));
    expect(second.sut_cpu).toBeCloseTo(0.5, 12);
    expect(second.sut_gc_time).toBeCloseTo(0.015, 12);
    expect(second.sut_gc_rate).toBe(15);
    expect(second.sut_gc_pause).toBeCloseTo(1, 12); // 0.03 s over 30 collections: 1 ms each
    expect(second.sut_http_requests_total).toBe(100); // (100 + 100) over 2 s: both methods summed
    expect(second.sut_requests_seen).toBe(240);
    const idle = m.map(scrape(11, 0.53, 130, 100, 40), at(3));
    expect(idle.sut_gc_pause).toBeUndefined(); // no collection: no mean pause
    expect(idle.sut_gc_rate).toBe(0);
  });

  test('a counter that went down (restart) gives no rate for that interval; processSeries: false leaves them out', () => {
    const m = new ExpositionMapper({ processSeries: false });
    m.map(scrape(10, 1, 10, 0, 0), at(0));
    const reset = m.map(scrape(0.2, 0.001, 1, 0, 0), at(1));
    expect(reset).toEqual({});
    const after = m.map(scrape(0.7, 0.011, 3, 0, 0), at(2));
    expect(Object.keys(after).sort()).toEqual(['sut_gc_pause', 'sut_gc_rate', 'sut_gc_time']);
    expect(after.sut_gc_time).toBeCloseTo(0.01, 12);
    expect(after.sut_gc_rate).toBe(2);
    expect(after.sut_gc_pause).toBeCloseTo(5, 12);
  });

  test('Erlang: collections per second only (no pause times exposed)', () => {
    const m = new ExpositionMapper();
    const e = (n: number) => parseExposition(`erlang_vm_statistics_garbage_collection_number_of_gcs ${n}\n`).samples;
    m.map(e(1000), at(0));
    expect(m.map(e(1500), at(1))).toEqual({ sut_gc_rate: 500 });
  });
});
