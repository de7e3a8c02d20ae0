/**
 * `--metrics-addr HOST:PORT`: Prometheus text exposition (format 0.0.4) of the live aggregate,
 * served at /metrics during the run. Counters are `_total` counters, gauges gauges, rates a `_rate`
 * gauge with `_samples_total`/`_passes_total` counters, trends summaries with quantiles (time trends
 * in seconds, as Prometheus convention wants). Bound to 127.0.0.1 unless a host is given; port 0
 * picks a free port. The bound address is printed on stderr.
 *
 * Cardinality: a metric shows at most PROM_MAX_SERIES_PER_METRIC series; those past it (in the
 * order they appeared, so a scrape's series stay stable) are summed into one series labelled
 * `mcprun_overflow="true"`, so totals stay exact and a scrape stays small. Requests already make
 * one series per `name` tag, not per URL (protocols/http/vu-http.ts), as in k6.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McprunError } from '../errors.js';
import { AggregateSeries, type MetricAggregate } from '../metrics/aggregate.js';
import type { MetricDefinition } from '../metrics/types.js';
import { percentileOf } from '../metrics/hdr.js';
import { maskText } from './mask-secrets.js';
import type { Output, OutputContext } from './output.js';

export const PROM_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const QUANTILES = [0.5, 0.9, 0.95, 0.99];
/** Series (tag sets) one metric shows at most; the rest are summed into one overflow series. */
export const PROM_MAX_SERIES_PER_METRIC = 1000;
const OVERFLOW_TAGS = { mcprun_overflow: 'true' } as const;
/** What to do about a metric with too many series. */
export const CARDINALITY_HINT = 'Give requests whose URLs vary (ids, query strings) a name tag, e.g. http.get(url, { tags: { name: \'item\' } }): their url tag then takes the name, as in k6.';

/** HOST:PORT, :PORT or PORT (loopback then); `flag` names the flag in errors (--dashboard reads the same form). */
export function parseMetricsAddr(addr: string, flag = '--metrics-addr'): { host: string; port: number } {
  const a = addr.trim();
  let host = '127.0.0.1';
  let portText: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(a);
  if (v6) {
    host = v6[1];
    portText = v6[2];
  } else if (/^\d+$/.test(a)) {
    portText = a;
  } else {
    const m = /^([^:]*):(\d+)$/.exec(a);
    if (!m) {
      throw new McprunError('MCPRUN_CLI', `invalid ${flag} ${JSON.stringify(addr)}: expected HOST:PORT, e.g. ${flag} 127.0.0.1:9464 (or :9464, or 0.0.0.0:9464 to listen on every interface).`);
    }
    if (m[1]) host = m[1];
    portText = m[2];
  }
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new McprunError('MCPRUN_CLI', `invalid ${flag} ${JSON.stringify(addr)}: port ${portText} is not between 0 and 65535.`);
  }
  return { host, port };
}

export function promName(s: string): string {
  const n = s.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(n) ? `_${n}` : n;
}

export function promLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(tags: Readonly<Record<string, string>>, extra?: [string, string]): string {
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const k of Object.keys(tags).sort()) {
    const name = promName(k).replace(/^__/, '_');
    if (seen.has(name)) continue;
    seen.add(name);
    parts.push(`${name}="${promLabelValue(tags[k])}"`);
  }
  if (extra) parts.push(`${extra[0]}="${extra[1]}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/**
 * A metric's series as shown: the first `max - 1` as they are, the rest summed into one overflow
 * series (counts and sums added, histograms merged, gauge values added). `overflowed` is how many.
 */
export function capSeries(series: readonly AggregateSeries[], max = PROM_MAX_SERIES_PER_METRIC): { shown: AggregateSeries[]; overflowed: number } {
  if (series.length <= max) return { shown: [...series], overflowed: 0 };
  const kept = series.slice(0, max - 1);
  const rest = series.slice(max - 1);
  const first = rest[0];
  const folded = new AggregateSeries(first.metric, OVERFLOW_TAGS, first.type);
  let gauge = 0;
  for (const s of rest) {
    folded.count += s.count;
    folded.sum += s.sum;
    folded.min = Math.min(folded.min, s.min);
    folded.max = Math.max(folded.max, s.max);
    if (s.hist) folded.hist?.add(s.hist);
    if (s.type === 'gauge') gauge += s.gaugeValue();
  }
  if (first.type === 'gauge') folded.gaugeByWorker.set(0, { value: gauge, at: 0, max: gauge, min: gauge });
  return { shown: [...kept, folded], overflowed: rest.length };
}

/**
 * The exposition text for the aggregate as it is now; `onCapped(metric, series)` hears each metric
 * that has more series than one scrape shows.
 */
export function renderPrometheus(
  agg: MetricAggregate,
  def: (name: string) => MetricDefinition | undefined,
  info: { version: string; script: string; elapsedSeconds: number },
  onCapped: (metric: string, series: number) => void = () => {},
): string {
  const out: string[] = [];
  out.push('# HELP mcprun_info The running mcprun and its scenario.', '# TYPE mcprun_info gauge', `mcprun_info${labels({ version: info.version, script: info.script })} 1`);
  out.push('# HELP mcprun_elapsed_seconds Seconds since the run started.', '# TYPE mcprun_elapsed_seconds gauge', `mcprun_elapsed_seconds ${num(info.elapsedSeconds)}`);
  const byMetric = new Map<string, ReturnType<MetricAggregate['matching']>>();
  for (const s of agg.series.values()) {
    let l = byMetric.get(s.metric);
    if (!l) byMetric.set(s.metric, (l = []));
    l.push(s);
  }
  for (const metric of [...byMetric.keys()].sort()) {
    const all = byMetric.get(metric)!;
    const { shown: series, overflowed } = capSeries(all);
    if (overflowed) onCapped(metric, all.length);
    const d = def(metric);
    const type = d?.type ?? series[0].type;
    const contains = d?.contains ?? 'default';
    const base = metric.startsWith('mcprun_') ? promName(metric) : `mcprun_${promName(metric)}`;
    const bytes = contains === 'data' && !/_bytes$/.test(base) ? '_bytes' : '';
    const help = (name: string, t: string, text: string) => out.push(`# HELP ${name} ${text}`, `# TYPE ${name} ${t}`);
    switch (type) {
      case 'counter': {
        const name = `${base.replace(/_total$/, '')}${bytes}_total`;
        help(name, 'counter', `mcprun counter ${metric}.`);
        for (const s of series) out.push(`${name}${labels(s.tags)} ${num(s.count)}`);
        break;
      }
      case 'gauge':
        help(`${base}${bytes}`, 'gauge', `mcprun gauge ${metric}.`);
        for (const s of series) out.push(`${base}${bytes}${labels(s.tags)} ${num(s.gaugeValue())}`);
        break;
      case 'rate': {
        help(`${base}_rate`, 'gauge', `mcprun rate ${metric}: fraction of non-zero samples.`);
        for (const s of series) out.push(`${base}_rate${labels(s.tags)} ${num(s.count ? s.sum / s.count : 0)}`);
        help(`${base}_passes_total`, 'counter', `mcprun rate ${metric}: non-zero samples.`);
        for (const s of series) out.push(`${base}_passes_total${labels(s.tags)} ${num(s.sum)}`);
        help(`${base}_samples_total`, 'counter', `mcprun rate ${metric}: samples.`);
        for (const s of series) out.push(`${base}_samples_total${labels(s.tags)} ${num(s.count)}`);
        break;
      }
      case 'trend': {
        const time = contains === 'time';
        const name = time ? `${base}_seconds` : `${base}${bytes}`;
        const scale = time ? 1 / 1000 : 1;
        help(name, 'summary', `mcprun trend ${metric}${time ? ' (seconds)' : ''}.`);
        for (const s of series) {
          for (const q of QUANTILES) out.push(`${name}${labels(s.tags, ['quantile', String(q)])} ${num(s.hist && s.count ? percentileOf(s.hist, q * 100) * scale : NaN)}`);
          out.push(`${name}_sum${labels(s.tags)} ${num(s.sum * scale)}`);
          out.push(`${name}_count${labels(s.tags)} ${num(s.count)}`);
        }
        break;
      }
    }
  }
  return `${out.join('\n')}\n`;
}

export class PrometheusOutput implements Output {
  readonly name = '--metrics-addr';
  #server: Server | undefined;
  /** `http://host:port/metrics` once listening. */
  url: string | undefined;

  constructor(
    readonly addr: string,
    readonly version: string,
  ) {
    parseMetricsAddr(addr); // flag errors before any load
  }

  async start(ctx: OutputContext): Promise<void> {
    const { host, port } = parseMetricsAddr(this.addr);
    const t0 = Date.now();
    const warned = new Set<string>();
    const onCapped = (metric: string, n: number) => {
      if (warned.has(metric)) return;
      warned.add(metric);
      ctx.stderr.write(`mcprun: --metrics-addr: ${metric} has ${n} series; a scrape shows ${PROM_MAX_SERIES_PER_METRIC} and sums the rest into one series labelled mcprun_overflow="true". ${CARDINALITY_HINT}\n`);
    };
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/metrics') {
        let body: string;
        try {
          body = renderPrometheus(ctx.aggregate, (n) => ctx.metric(n), { version: this.version, script: ctx.script, elapsedSeconds: (Date.now() - t0) / 1000 }, onCapped);
        } catch (err) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`mcprun: ${(err as Error).message}\n`);
          return;
        }
        res.writeHead(200, { 'content-type': PROM_CONTENT_TYPE });
        res.end(req.method === 'HEAD' ? undefined : maskText(body));
        return;
      }
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('mcprun: Prometheus metrics are at /metrics\n');
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found; try /metrics\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new McprunError('MCPRUN_CONFIG', `--metrics-addr ${this.addr}: cannot listen on ${host}:${port} (${err.code ?? err.message}).`, { hint: `${listenFix(err.code)}; no load was sent.` })),
      );
      server.listen(port, host, () => resolve());
    });
    // Never keep the process alive for the scraper's sake.
    server.unref();
    this.#server = server;
    const a = server.address() as AddressInfo;
    const shown = a.family === 'IPv6' || a.address.includes(':') ? `[${a.address}]` : a.address;
    this.url = `http://${shown}:${a.port}/metrics`;
    ctx.stderr.write(`mcprun: Prometheus metrics at ${this.url}\n`);
  }

  async end(): Promise<void> {
    const s = this.#server;
    if (!s) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }
}

/** What to do when listen() fails, by its code: a busy port is not the only way it can. */
export function listenFix(code: string | undefined): string {
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'The host name does not resolve: give an IP address of this machine, e.g. 127.0.0.1:9464';
    case 'EADDRNOTAVAIL':
      return 'That address is not one of this machine: use 127.0.0.1 or an address of one of its interfaces';
    case 'EACCES':
      return 'Ports below 1024 need privileges: pick a port above 1024 (0 picks a free one)';
    default:
      return 'Pick a free port (0 picks one) or stop what holds it';
  }
}
