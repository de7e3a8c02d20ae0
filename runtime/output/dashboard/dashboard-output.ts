/**
 * `--dashboard [HOST:PORT]`: the live dashboard and its control API, served by the coordinator
 * during the run (node:http, no framework: six routes and an event stream).
 *
 *   GET   /                       the page (report.html's sections, charts and script, live)
 *   GET   /api/events             Server-Sent Events: the page's content once a second, then the final one
 *   GET   /api/status             state, elapsed time, scenarios with what each runs now, the control log
 *   POST  /api/pause | /api/resume | /api/stop
 *   PATCH /api/scenarios/<name>   { "vus": N } or { "rate": N }
 *
 * An output like the Prometheus endpoint: it listens before any load is sent (a busy port is
 * exit 104) and closes at the end, after `--linger` has kept the final page up. Who may connect is
 * security.ts; what the verbs do is the coordinator's (ControlPort).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McprunError } from '../../errors.js';
import { safeTimeout } from '../../timers.js';
import { loadUplot } from '../html-report.js';
import { maskText } from '../mask-secrets.js';
import type { Output, OutputContext } from '../output.js';
import { listenFix, parseMetricsAddr } from '../prometheus.js';
import { buildReportModel } from '../report-model.js';
import type { SummaryData } from '../summary-data.js';
import type { TimeSeries } from '../timeseries.js';
import type { ControlAnswer, DashboardHooks } from './control-port.js';
import { dashboardUpdate, renderDashboardPage, type DashboardUpdate } from './page.js';
import { openBrowser } from './open-browser.js';
import { isLoopbackHost, presentedToken, refusalOf, TOKEN_COOKIE } from './security.js';

/** How often the page is refreshed (the time series' own interval is at most this, by default equal). */
const PUSH_EVERY_MS = 1000;
/** Event streams open at once: a few browser tabs; more is a misbehaving client holding sockets. */
const MAX_STREAMS = 32;
/** A PATCH body is a few bytes. */
const MAX_BODY = 4096;

export interface DashboardOptions {
  addr: string;
  token: string | undefined;
  open: boolean;
  /** How long the final page stays up: ms, Infinity for "until Ctrl-C or POST /api/stop", 0 not at all. */
  lingerMs: number;
}

export class DashboardOutput implements Output {
  readonly name = '--dashboard';
  #server: Server | undefined;
  #ctx: OutputContext | undefined;
  #hooks: DashboardHooks | undefined;
  readonly #streams = new Set<ServerResponse>();
  #timer: NodeJS.Timeout | undefined;
  #last: DashboardUpdate | undefined;
  #final = false;
  #endLinger: () => void = () => {};
  /** `http://host:port/` once listening. */
  url: string | undefined;

  constructor(
    readonly opts: DashboardOptions,
    readonly ts: TimeSeries,
  ) {
    const { host } = parseMetricsAddr(opts.addr, '--dashboard');
    if (!isLoopbackHost(host) && !opts.token) {
      throw new McprunError('MCPRUN_CLI', `--dashboard ${opts.addr} listens beyond loopback, so it needs a token: anyone who reaches it could pause or stop the run.`, {
        hint: 'Give --dashboard-token <secret> (or set MCPRUN_DASHBOARD_TOKEN), or listen on 127.0.0.1. No load was sent.',
      });
    }
  }

  /** The coordinator's side: control verbs and the live summary (set before start). */
  connect(hooks: DashboardHooks): void {
    this.#hooks = hooks;
  }

  async start(ctx: OutputContext): Promise<void> {
    this.#ctx = ctx;
    const { host, port } = parseMetricsAddr(this.opts.addr, '--dashboard');
    const server = createServer((req, res) => this.#route(req, res).catch((err: Error) => sendJson(res, 500, { ok: false, message: err.message })));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new McprunError('MCPRUN_CONFIG', `--dashboard ${this.opts.addr}: cannot listen on ${host}:${port} (${err.code ?? err.message}).`, { hint: `${listenFix(err.code)}; no load was sent.` })),
      );
      server.listen(port, host, () => resolve());
    });
    server.unref();
    this.#server = server;
    const a = server.address() as AddressInfo;
    const shown = a.address.includes(':') ? `[${a.address}]` : a.address;
    this.url = `http://${shown}:${a.port}/`;
    ctx.stderr.write(`mcprun: dashboard at ${this.url}${this.opts.token ? ' (token required: open it once as /?token=<token>)' : ''}\n`);
    this.#timer = setInterval(() => this.#push(), PUSH_EVERY_MS);
    this.#timer.unref();
    if (this.opts.open) openBrowser(this.opts.token ? `${this.url}?token=${encodeURIComponent(this.opts.token)}` : this.url, ctx.stderr);
  }

  /** The final summary: pushed to every open page, kept up for --linger, then the server closes. */
  async end(summary: SummaryData): Promise<void> {
    if (!this.#server) return;
    clearInterval(this.#timer);
    this.#final = true;
    this.#last = this.#update(summary);
    this.#send(this.#last);
    const ms = this.opts.lingerMs;
    if (ms > 0) {
      this.#ctx?.stderr.write(`mcprun: the dashboard shows the final summary at ${this.url} ${ms === Infinity ? 'until Ctrl-C' : `for ${Math.round(ms / 1000)}s`} (--linger; Ctrl-C or POST /api/stop ends it)\n`);
      let timer: NodeJS.Timeout | undefined;
      let off = () => {};
      await new Promise<void>((resolve) => {
        if (ms !== Infinity) timer = safeTimeout(resolve, ms);
        off = this.#hooks?.onStopSignal(resolve) ?? off;
        this.#endLinger = resolve;
      });
      clearTimeout(timer);
      off();
    }
    await this.#close();
  }

  async #close(): Promise<void> {
    const s = this.#server;
    if (!s) return;
    this.#server = undefined;
    for (const r of this.#streams) r.end();
    this.#streams.clear();
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  #update(summary?: SummaryData): DashboardUpdate {
    const ctx = this.#ctx!;
    const hooks = this.#hooks!;
    const model = buildReportModel({
      summary: summary ?? hooks.liveSummary(),
      aggregate: ctx.aggregate,
      columns: this.ts.columns(),
      phases: ctx.phases(),
      startedAt: ctx.startedAt,
      env: ctx.env,
      intervalMs: this.ts.intervalMs,
    });
    const status = hooks.control.status();
    return dashboardUpdate(model, this.#final ? { ...status, state: 'finished' } : status, this.#final);
  }

  #current(): DashboardUpdate {
    if (this.#final && this.#last) return this.#last;
    return (this.#last = this.#update());
  }

  #push(): void {
    if (!this.#streams.size || this.#final) return;
    try {
      this.#send((this.#last = this.#update()));
    } catch (err) {
      this.#ctx?.stderr.write(`mcprun: --dashboard: the page could not be refreshed: ${(err as Error).message}\n`);
    }
  }

  #send(u: DashboardUpdate): void {
    const frame = `data: ${maskText(JSON.stringify(u))}\n\n`;
    for (const r of this.#streams) r.write(frame);
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const facts = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
    const refusal = refusalOf(facts, this.opts.token);
    if (refusal) {
      if (refusal.status === 401) res.setHeader('www-authenticate', 'Bearer realm="mcprun dashboard"');
      return sendJson(res, refusal.status, { ok: false, message: refusal.message });
    }
    const url = new URL(facts.url, 'http://x');
    const path = url.pathname;
    const method = facts.method;
    if (path === '/') {
      if (method !== 'GET' && method !== 'HEAD') return notAllowed(res, 'GET, HEAD');
      // Opened once with ?token=: the cookie carries it from then on (the event stream cannot send a header), and the address bar loses it.
      if (this.opts.token && url.searchParams.has('token')) {
        res.writeHead(303, { location: '/', 'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(presentedToken(facts)!)}; HttpOnly; SameSite=Strict; Path=/` }).end();
        return;
      }
      const page = renderDashboardPage(this.#current(), loadUplot());
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY' });
      res.end(method === 'HEAD' ? undefined : maskText(page));
      return;
    }
    if (path === '/api/events') return method === 'GET' ? this.#stream(res) : notAllowed(res, 'GET');
    if (path === '/api/status') return method === 'GET' ? sendJson(res, 200, { ...this.#hooks!.control.status(), ...(this.#final ? { state: 'finished' } : {}) }) : notAllowed(res, 'GET');
    const verb = /^\/api\/(pause|resume|stop)$/.exec(path);
    if (verb) {
      if (method !== 'POST') return notAllowed(res, 'POST');
      await readBody(req);
      return this.#answer(res, this.#verb(verb[1] as 'pause' | 'resume' | 'stop'));
    }
    const sc = /^\/api\/scenarios\/([^/]+)$/.exec(path);
    if (sc) {
      if (method !== 'PATCH') return notAllowed(res, 'PATCH');
      const text = await readBody(req);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return sendJson(res, 400, { ok: false, message: `the body is not JSON (${JSON.stringify(text.slice(0, 80))}); send e.g. { "vus": 20 } or { "rate": 100 }` });
      }
      if (this.#final) return sendJson(res, 409, { ok: false, message: 'the load is over already' });
      return this.#answer(res, this.#hooks!.control.rescale(decodeURIComponent(sc[1]), body));
    }
    sendJson(res, 404, { ok: false, message: `no such page: ${path}; the dashboard is at / and its API under /api (status, events, pause, resume, stop, scenarios/<name>)` });
  }

  #verb(v: 'pause' | 'resume' | 'stop'): ControlAnswer {
    if (this.#final) {
      // During --linger, stop closes the page at once; the run itself is over.
      if (v === 'stop') {
        this.#endLinger();
        return { status: 200, body: { ok: true, message: 'the run is over; the dashboard closes' } };
      }
      return { status: 409, body: { ok: false, message: 'the load is over already' } };
    }
    return this.#hooks!.control[v]();
  }

  #answer(res: ServerResponse, a: ControlAnswer): void {
    sendJson(res, a.status, { ...a.body, status: this.#hooks!.control.status() });
    // Every open page sees the change at once, not at the next tick.
    if (a.status === 200 && !this.#final) this.#push();
  }

  #stream(res: ServerResponse): void {
    if (this.#streams.size >= MAX_STREAMS) return sendJson(res, 503, { ok: false, message: `${MAX_STREAMS} pages are open already` });
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`retry: 2000\ndata: ${maskText(JSON.stringify(this.#current()))}\n\n`);
    this.#streams.add(res);
    res.on('close', () => this.#streams.delete(res));
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(maskText(JSON.stringify(body)));
}

function notAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  sendJson(res, 405, { ok: false, message: `use ${allow.split(', ').join(' or ')} here` });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      text += d;
      if (text.length > MAX_BODY) {
        reject(new Error(`the body is larger than ${MAX_BODY} bytes`));
        req.destroy();
      }
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
