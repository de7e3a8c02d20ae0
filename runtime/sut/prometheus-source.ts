/**
 * The system under test as its own Prometheus endpoint reports it: one GET per sample (node:http,
 * one kept-alive socket, so the scrape adds one steady connection to the server rather than one
 * per second), parsed by prometheus-text.ts and mapped by prometheus-mapping.ts.
 *
 * A scrape that fails (refused, timed out, not 200, too large, not an exposition) is a gap: no
 * values for that instant, one warning when the failures start and one when they end, never a
 * throw. The URL itself was checked before the run (checkMetricsUrl: loopback unless allowed).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ExpositionMapper, type MappingOptions } from './prometheus-mapping.js';
import { parseExposition } from './prometheus-text.js';
import type { SutValues, SutWarning } from './types.js';
import { safeTimeout } from '../timers.js';

export interface PrometheusSourceOptions extends MappingOptions {
  readonly url: string;
  /** A scrape slower than this fails (a gap), ms. */
  readonly timeoutMs?: number;
  /** A larger answer fails rather than filling the coordinator's memory. */
  readonly maxBytes?: number;
}

export interface ScrapeReading {
  readonly values: SutValues;
  readonly warnings: SutWarning[];
}

export class PrometheusSource {
  readonly url: URL;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #mapper: ExpositionMapper;
  readonly #agent: HttpAgent;
  #failing = false;

  constructor(opts: PrometheusSourceOptions) {
    this.url = new URL(opts.url);
    this.#timeoutMs = opts.timeoutMs ?? 800;
    this.#maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
    this.#mapper = new ExpositionMapper(opts);
    const agentOptions = { keepAlive: true, maxSockets: 1 };
    this.#agent = this.url.protocol === 'https:' ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  }

  /** One scrape. Never rejects. */
  async scrape(epoch = Date.now()): Promise<ScrapeReading> {
    let text: string;
    const sent = performance.now();
    try {
      text = await this.#get();
    } catch (err) {
      return { values: {}, warnings: this.#fail(epoch, (err as Error).message) };
    }
    // The server read its counters somewhere between the request and the end of its answer:
    // the midpoint halves the error a slow answer puts into the rates.
    const at = (sent + performance.now()) / 2;
    const { samples, malformed } = parseExposition(text, (n) => this.#mapper.wants(n));
    if (samples.length === 0 && malformed > 0) return { values: {}, warnings: this.#fail(epoch, 'the answer is not a Prometheus text exposition') };
    const warnings: SutWarning[] = [];
    if (this.#failing) {
      this.#failing = false;
      warnings.push({ code: 'sut_scrape_resumed', message: `the metrics URL ${this.url.href} answers again; the gap in its sut_* series ends here`, time: epoch });
    }
    return { values: this.#mapper.map(samples, at), warnings };
  }

  close(): void {
    this.#agent.destroy();
  }

  #fail(epoch: number, why: string): SutWarning[] {
    if (this.#failing) return [];
    this.#failing = true;
    return [{ code: 'sut_scrape_failed', message: `scraping ${this.url.href} failed (${why}); its sut_* series have a gap until it answers again`, time: epoch }];
  }

  #get(): Promise<string> {
    const request = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(this.url, {
        agent: this.#agent,
        headers: { accept: 'text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5,*/*;q=0.1', 'accept-encoding': 'identity' },
      });
      const timer = safeTimeout(() => req.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
      req.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.once('response', (res) => {
        this.#readBody(res, req.destroy.bind(req)).then(resolve, reject).finally(() => clearTimeout(timer));
      });
      req.end();
    });
  }

  #readBody(res: IncomingMessage, abort: (err: Error) => void): Promise<string> {
    return new Promise((resolve, reject) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > this.#maxBytes) abort(new Error(`the answer exceeds ${this.#maxBytes} bytes`));
        else chunks.push(c);
      });
      res.once('error', reject);
      res.once('close', () => reject(new Error('the connection closed before the answer ended')));
      res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  }
}
