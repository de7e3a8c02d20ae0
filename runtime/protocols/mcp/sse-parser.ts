/**
 * An incremental `text/event-stream` parser (WHATWG "event stream interpretation"): chunks may
 * split lines, fields and UTF-8 characters anywhere. Handles `event:`, `data:` (multi-line),
 * `id:`, `retry:`, `:` comments (keep-alives), CR, LF and CRLF line ends, a leading BOM, and
 * priming events (an `id:` with an empty `data:`, dispatched with `data === ''`).
 */
import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  /** `message` unless the event named itself. */
  event: string;
  data: string;
  /** The stream's last event id after this event (it persists across events, as in browsers). */
  lastEventId: string;
}

export interface SseSink {
  onEvent(ev: SseEvent): void;
  /** A `retry:` field (reconnection time, ms). */
  onRetry?(ms: number): void;
  /** A `:` comment line (keep-alive). */
  onComment?(text: string): void;
}

export class SseParser {
  readonly #decoder = new StringDecoder('utf8');
  #buf = '';
  #first = true;
  /** The previous chunk ended with CR: an LF at the start of the next one belongs to it. */
  #skipLf = false;
  #event = '';
  #data = '';
  #hasData = false;
  lastEventId = '';
  retryMs: number | undefined;
  events = 0;

  constructor(readonly sink: SseSink) {}

  push(chunk: Buffer | string): void {
    let text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    if (this.#first && text.length) {
      this.#first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.#skipLf && text.length) {
      this.#skipLf = false;
      if (text.charCodeAt(0) === 10) text = text.slice(1);
    }
    const s = this.#buf ? this.#buf + text : text;
    let start = 0;
    const n = s.length;
    for (let i = start; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.#line(s, start, i);
      if (c === 13) {
        if (i + 1 < n) {
          if (s.charCodeAt(i + 1) === 10) i++;
        } else this.#skipLf = true;
      }
      start = i + 1;
    }
    this.#buf = start < n ? s.slice(start) : '';
  }

  /** The stream ended: an event without its blank line is dropped (as the spec says). */
  end(): void {
    const rest = this.#decoder.end();
    if (rest) this.push(rest);
    this.#buf = '';
    this.#event = '';
    this.#data = '';
    this.#hasData = false;
  }

  #line(s: string, start: number, end: number): void {
    if (start === end) {
      this.#dispatch();
      return;
    }
    if (s.charCodeAt(start) === 58 /* : */) {
      this.sink.onComment?.(s.slice(start + 1, end));
      return;
    }
    const colon = s.indexOf(':', start);
    let field: string;
    let value: string;
    if (colon === -1 || colon >= end) {
      field = s.slice(start, end);
      value = '';
    } else {
      field = s.slice(start, colon);
      const v = s.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
      value = v < end ? s.slice(v, end) : '';
    }
    switch (field) {
      case 'data':
        if (this.#hasData) this.#data += `\n${value}`;
        else {
          this.#data = value;
          this.#hasData = true;
        }
        return;
      case 'event':
        this.#event = value;
        return;
      case 'id':
        if (!value.includes('\u0000')) this.lastEventId = value;
        return;
      case 'retry':
        if (/^\d+$/.test(value)) {
          this.retryMs = Number(value);
          this.sink.onRetry?.(this.retryMs);
        }
        return;
      default:
        return; // unknown fields are ignored
    }
  }

  #dispatch(): void {
    if (!this.#hasData) {
      // An event with no data field is not dispatched (its id, if any, was still recorded).
      this.#event = '';
      return;
    }
    const ev: SseEvent = { event: this.#event || 'message', data: this.#data, lastEventId: this.lastEventId };
    this.#event = '';
    this.#data = '';
    this.#hasData = false;
    this.events++;
    this.sink.onEvent(ev);
  }
}
