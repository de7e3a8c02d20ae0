/**
 * The Prometheus text exposition format (and the OpenMetrics text that servers send in its
 * place), read into flat samples: name, labels, value. Written here rather than taken from npm:
 * the one parser there (parse-prometheus-text-format 1.1.1, no release since 2020, no types)
 * folds a histogram's samples by `le` alone, so `nodejs_gc_duration_seconds{kind=...}` loses
 * its `_sum` and `_count` series, exactly the ones the GC figures need; and one malformed line
 * throws away the whole scrape. This one skips (and counts) a malformed line and keeps the rest.
 *
 * Covered: `# HELP`/`# TYPE`/`# EOF` and other comment lines (skipped: the sources know the
 * types of the series they map), label values with `\\`, `\"` and `\n` escapes, values
 * `NaN`/`+Inf`/`-Inf`, optional timestamps, OpenMetrics exemplars (` # {...} v`), and the quoted
 * UTF-8 names of Prometheus 3 (`{"http.requests", code="200"} 1`).
 *
 * `wanted` filters by name before labels are parsed: an exposition of 10,000 series costs only
 * the lines of the few families mapped.
 */

export interface ExpositionSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly samples: ExpositionSample[];
  /** Lines that were neither comments nor samples (skipped). */
  readonly malformed: number;
}

export function parseExposition(text: string, wanted?: (name: string) => boolean): Exposition {
  const samples: ExpositionSample[] = [];
  let malformed = 0;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(pos, end - 1) : text.slice(pos, end);
    pos = end + 1;
    const first = line.trimStart();
    if (first === '' || first.startsWith('#')) continue;
    if (wanted && !first.startsWith('{') && !wanted(bareName(first))) continue;
    const sample = parseSampleLine(first);
    if (sample === undefined) malformed++;
    else if (!wanted || wanted(sample.name)) samples.push(sample);
  }
  return { samples, malformed };
}

function bareName(line: string): string {
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ' && line[i] !== '\t') i++;
  return line.slice(0, i);
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function parseSampleLine(line: string): ExpositionSample | undefined {
  let name = bareName(line);
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    const r = parseLabels(line, i + 1, labels);
    if (r === undefined) return undefined;
    i = r.next;
    if (name === '') name = r.quotedName ?? '';
  }
  if (!(NAME.test(name) || (line[0] === '{' && name !== ''))) return undefined;
  const rest = line.slice(i).trim().split(/[ \t]+/);
  const value = parseValue(rest[0]);
  // rest[1]: a timestamp, or `#` before an exemplar: neither is needed.
  if (value === undefined || (rest.length > 1 && !/^(-?\d+(\.\d+)?|#)$/.test(rest[1]))) return undefined;
  return { name, labels, value };
}

/** Labels from just after `{` to `}`; a lone quoted string among them is the metric's name. */
function parseLabels(line: string, start: number, into: Record<string, string>): { next: number; quotedName?: string } | undefined {
  let i = start;
  let quotedName: string | undefined;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t' || line[i] === ',') i++;
    if (line[i] === '}') return { next: i + 1, quotedName };
    let key: string;
    if (line[i] === '"') {
      const q = readQuoted(line, i);
      if (q === undefined) return undefined;
      [key, i] = q;
      while (line[i] === ' ') i++;
      if (line[i] !== '=') {
        quotedName = key;
        continue;
      }
    } else {
      const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
      if (m === null) return undefined;
      key = m[0];
      i += key.length;
      while (line[i] === ' ') i++;
      if (line[i] !== '=') return undefined;
    }
    i++;
    while (line[i] === ' ') i++;
    const v = readQuoted(line, i);
    if (v === undefined) return undefined;
    into[key] = v[0];
    i = v[1];
  }
}

/** A double-quoted string at `i` with its escapes undone, and the index after its closing quote. */
function readQuoted(line: string, i: number): [string, number] | undefined {
  if (line[i] !== '"') return undefined;
  let out = '';
  for (let j = i + 1; j < line.length; j++) {
    const c = line[j];
    if (c === '"') return [out, j + 1];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = line[++j];
    out += e === 'n' ? '\n' : e === '\\' || e === '"' ? e : `\\${e ?? ''}`;
  }
  return undefined;
}

function parseValue(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const v = Number(text);
  return Number.isNaN(v) ? undefined : v;
}
