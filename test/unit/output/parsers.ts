/**
 * Small parsers the output tests read mcprun's files with: XML (enough for JUnit reports) and the
 * Prometheus text exposition format 0.0.4. Written here so the tests depend on no mcprun code.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    if (!(e in ENTITIES)) throw new Error(`unknown XML entity ${m}`);
    return ENTITIES[e];
  });
}

/** A strict little XML parser: well-formedness errors throw (unclosed, mismatched, bad attributes). */
export function parseXml(src: string): XmlElement {
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`XML: ${msg} at offset ${i}: ${JSON.stringify(src.slice(i, i + 40))}`);
  };
  const skipWs = () => {
    while (i < src.length && /\s/.test(src[i])) i++;
  };
  if (src.startsWith('<?xml')) {
    i = src.indexOf('?>') + 2;
    if (i < 2) fail('unterminated declaration');
  }
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  while (i < src.length) {
    if (src.startsWith('<!--', i)) {
      const e = src.indexOf('-->', i);
      if (e < 0) fail('unterminated comment');
      i = e + 3;
    } else if (src.startsWith('</', i)) {
      const m = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(src.slice(i));
      if (!m) fail('bad closing tag');
      const open = stack.pop()!;
      if (open.name !== m![1]) fail(`</${m![1]}> closes <${open.name}>`);
      i += m![0].length;
    } else if (src[i] === '<') {
      const m = /^<([A-Za-z_][\w.-]*)/.exec(src.slice(i));
      if (!m) fail('bad tag');
      i += m![0].length;
      const el: XmlElement = { name: m![1], attrs: {}, children: [], text: '' };
      for (;;) {
        skipWs();
        if (src.startsWith('/>', i)) {
          i += 2;
          stack.at(-1)!.children.push(el);
          break;
        }
        if (src[i] === '>') {
          i++;
          stack.at(-1)!.children.push(el);
          stack.push(el);
          break;
        }
        const a = /^([A-Za-z_][\w.:-]*)\s*=\s*"([^"<]*)"/.exec(src.slice(i));
        if (!a) fail('bad attribute');
        if (a![1] in el.attrs) fail(`duplicate attribute ${a![1]}`);
        el.attrs[a![1]] = decode(a![2]);
        i += a![0].length;
      }
    } else {
      const e = src.indexOf('<', i);
      const text = src.slice(i, e < 0 ? src.length : e);
      if (stack.length === 1 && text.trim()) fail('text outside the root element');
      stack.at(-1)!.text += decode(text);
      i = e < 0 ? src.length : e;
    }
  }
  if (stack.length !== 1) fail(`<${stack.at(-1)!.name}> is not closed`);
  if (root.children.length !== 1) fail(`expected one root element, found ${root.children.length}`);
  return root.children[0];
}

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromFamily {
  name: string;
  type: string;
  help?: string;
  samples: PromSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Prometheus text format 0.0.4; throws on anything a Prometheus server would reject. */
export function parsePrometheus(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const familyOf = (sample: string): PromFamily | undefined => {
    if (families.has(sample)) return families.get(sample);
    for (const suffix of ['_sum', '_count', '_bucket']) {
      if (sample.endsWith(suffix)) {
        const f = families.get(sample.slice(0, -suffix.length));
        if (f && (f.type === 'summary' || f.type === 'histogram')) return f;
      }
    }
    return undefined;
  };
  const seen = new Set<string>();
  text.split('\n').forEach((line, n) => {
    const where = `line ${n + 1} ${JSON.stringify(line)}`;
    if (!line.trim()) return;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (!m) return; // a comment
      if (!METRIC_NAME.test(m[2])) throw new Error(`bad metric name in ${where}`);
      let f = families.get(m[2]);
      if (!f) families.set(m[2], (f = { name: m[2], type: 'untyped', samples: [] }));
      if (m[1] === 'TYPE') {
        if (!['counter', 'gauge', 'summary', 'histogram', 'untyped'].includes(m[3] ?? '')) throw new Error(`bad type in ${where}`);
        if (f.samples.length) throw new Error(`TYPE after samples in ${where}`);
        f.type = m[3]!;
      } else f.help = m[3] ?? '';
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/.exec(line);
    if (!m) throw new Error(`bad sample ${where}`);
    const labels: Record<string, string> = {};
    if (m[3]) {
      let rest = m[3];
      while (rest.length) {
        const l = /^([^=\s]+)="((?:[^"\\]|\\[\\"n])*)"\s*(,\s*)?/.exec(rest);
        if (!l) throw new Error(`bad labels in ${where}`);
        if (!LABEL_NAME.test(l[1])) throw new Error(`bad label name ${l[1]} in ${where}`);
        if (l[1] in labels) throw new Error(`duplicate label ${l[1]} in ${where}`);
        labels[l[1]] = l[2].replace(/\\(["\\n])/g, (_x, c: string) => (c === 'n' ? '\n' : c));
        rest = rest.slice(l[0].length);
      }
    }
    const v = m[4];
    const value = v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : v === 'NaN' ? NaN : Number(v);
    if (Number.isNaN(value) && v !== 'NaN') throw new Error(`bad value in ${where}`);
    const f = familyOf(m[1]);
    if (!f) throw new Error(`sample without a TYPE line: ${where}`);
    if (f.type === 'counter' && !m[1].endsWith('_total')) throw new Error(`counter sample not named *_total: ${where}`);
    if (f.type === 'summary' && m[1] === f.name && labels.quantile === undefined) throw new Error(`summary sample without quantile: ${where}`);
    const id = `${m[1]}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(id)) throw new Error(`duplicate sample ${where}`);
    seen.add(id);
    f.samples.push({ name: m[1], labels, value });
  });
  return families;
}
