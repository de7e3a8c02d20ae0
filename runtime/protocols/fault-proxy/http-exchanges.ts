/**
 * The HTTP side of one proxied connection (protocol 'http'): requests and responses are framed,
 * and each request is drawn once per active HTTP fault. A request drawn by `http-error` never
 * reaches the upstream: its bytes are discarded and the proxy answers it itself, in order (after
 * the responses to the requests before it), so the keep-alive connection stays usable. A request
 * drawn by `http-delay` goes through, and its response is held before its first byte leaves.
 */
import { STATUS_CODES } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ActiveFault } from './active-fault.js';
import { Coalescer } from './coalesce.js';
import { HttpFramer, type FramerSink, type MessageInfo } from './http-framer.js';
import type { Pipe } from './pipe.js';

/** The proxy's HTTP faults that are on right now. */
export interface HttpFaultSource {
  readonly httpFaults: readonly ActiveFault[];
}

/** One request on the connection, in order. */
interface Exchange {
  method: string;
  /** The proxy's own answer (http-error), or null when the request went to the upstream. */
  synthetic: Buffer | null;
  /** The proxy closes the connection after answering (the client asked to, or its body may never come). */
  closeAfter: boolean;
  /** http-delay: hold the response this long (ms) from its first byte. */
  delayMs: number;
  /** When the response may start leaving (performance.now()), set at its first byte. */
  holdUntil: number;
}

export class HttpExchanges {
  readonly #queue: Exchange[] = [];
  readonly #requests: HttpFramer;
  readonly #responses: HttpFramer;
  readonly #toUpstream: Coalescer;
  readonly #toClient: Coalescer;
  /** The request being read is answered by the proxy: its bytes are discarded. */
  #discarding: ActiveFault | null = null;
  /** The response being read is a 1xx (it does not complete its exchange). */
  #interim = false;
  #lastStatus = 0;
  /** When the response being read may leave (its exchange's holdUntil). */
  #holdUntil = 0;

  constructor(
    readonly up: Pipe,
    readonly down: Pipe,
    readonly source: HttpFaultSource,
    readonly random: () => number,
    readonly endBoth: () => void,
  ) {
    this.#toUpstream = new Coalescer((b) => up.push(b));
    this.#toClient = new Coalescer((b, at) => down.push(b, at));
    this.#requests = new HttpFramer('request', this.#requestSink());
    this.#responses = new HttpFramer('response', this.#responseSink(), () => this.#awaited()?.method ?? 'GET');
  }

  fromClient(c: Buffer): void {
    this.#requests.feed(c);
    this.#toUpstream.flush();
  }

  fromUpstream(c: Buffer): void {
    this.#responses.feed(c);
    this.#toClient.flush();
  }

  /** The upstream closed: a response read until close is complete. */
  upstreamEnded(): void {
    this.#responses.finish();
    this.#toClient.flush();
  }

  /** The oldest request still waiting for the upstream's response. */
  #awaited(): Exchange | undefined {
    const i = this.#awaitedIndex();
    return i < 0 ? undefined : this.#queue[i];
  }

  #awaitedIndex(): number {
    const q = this.#queue;
    for (let i = 0; i < q.length; i++) if (q[i].synthetic === null) return i;
    return -1;
  }

  #requestSink(): FramerSink {
    return {
      head: (buf, start, end, info) => {
        const e = this.#draw(info);
        this.#queue.push(e);
        if (this.#discarding) this.#discarding.counters.bytesDropped += end - start;
        else this.#toUpstream.add(buf, start, end);
        if (e.synthetic) this.#answerReady();
      },
      body: (buf, start, end) => {
        if (this.#discarding) this.#discarding.counters.bytesDropped += end - start;
        else this.#toUpstream.add(buf, start, end);
      },
      end: () => {
        this.#discarding = null;
      },
      raw: (buf, start, end) => this.#toUpstream.add(buf, start, end),
    };
  }

  /** Draws the request for each HTTP fault that is on. */
  #draw(info: MessageInfo): Exchange {
    const e: Exchange = { method: info.method, synthetic: null, closeAfter: false, delayMs: 0, holdUntil: 0 };
    for (const f of this.source.httpFaults) {
      if (this.random() >= f.fault.rate) continue;
      const p = f.fault.params;
      if (p.kind === 'http-error' && e.synthetic === null) {
        f.counters.requests++;
        // A body the client holds back for a 100 Continue would never come: close after answering.
        e.closeAfter = info.close || (info.expectContinue && info.hasBody);
        e.synthetic = syntheticResponse(f.name, p.status, p.body, p.headers, info.method === 'HEAD', e.closeAfter);
        this.#discarding = f;
      } else if (p.kind === 'http-delay' && e.delayMs === 0) {
        f.counters.requests++;
        e.delayMs = Math.max(0, p.delayMs + (p.jitterMs ? (this.random() * 2 - 1) * p.jitterMs : 0));
      }
    }
    return e;
  }

  #responseSink(): FramerSink {
    return {
      head: (buf, start, end, info) => {
        this.#interim = info.status < 200;
        this.#lastStatus = info.status;
        const e = this.#awaited();
        if (e && e.delayMs > 0 && e.holdUntil === 0) e.holdUntil = performance.now() + e.delayMs;
        this.#holdUntil = e?.holdUntil ?? 0;
        this.#toClient.add(buf, start, end, this.#holdUntil);
      },
      // The exchange a response answers stays the awaited one until the response ends.
      body: (buf, start, end) => this.#toClient.add(buf, start, end, this.#holdUntil),
      end: () => {
        if (this.#interim && this.#lastStatus !== 101) return;
        const i = this.#awaitedIndex();
        if (i === 0) this.#queue.shift();
        else if (i > 0) this.#queue.splice(i, 1);
        // Switching protocols (101, or a CONNECT's 2xx): the requests side stops framing too.
        if (this.#responses.raw) this.#requests.switchToRaw();
        this.#answerReady();
      },
      raw: (buf, start, end) => this.#toClient.add(buf, start, end),
    };
  }

  /** Sends the proxy's answers that are next in order. */
  #answerReady(): void {
    while (this.#queue.length && this.#queue[0].synthetic !== null) {
      const e = this.#queue.shift()!;
      this.#toClient.flush();
      this.down.push(e.synthetic!, e.delayMs ? performance.now() + e.delayMs : 0);
      if (e.closeAfter) {
        this.#queue.length = 0;
        this.endBoth();
        return;
      }
    }
  }
}

function syntheticResponse(fault: string, status: number, body: string, headers: Record<string, string>, head: boolean, close: boolean): Buffer {
  const payload = Buffer.from(body, 'utf8');
  let text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Injected Fault'}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${payload.length}\r\nx-mcprun-fault: ${fault}\r\n`;
  for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
  if (close) text += 'connection: close\r\n';
  const headBytes = Buffer.from(`${text}\r\n`, 'latin1');
  return head ? headBytes : Buffer.concat([headBytes, payload]);
}
