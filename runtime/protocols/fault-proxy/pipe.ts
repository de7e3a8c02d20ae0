/**
 * One direction of a proxied connection: bytes from `src` written to `dst`, with the stream faults
 * that act on that direction applied in between. With no fault on it, a chunk is written straight
 * through (one `write`, Node's own backpressure); with latency, bandwidth or an HTTP hold, chunks
 * wait in a queue with the time each may leave, in order, on one timer.
 */
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { safeTimeout } from '../../timers.js';

/** A fault as one connection's pipe applies it (the link keeps one per affected connection and fault). */
export interface PipeFault {
  /** Marks the fault as having acted on this connection (counted once per connection). */
  touch(): void;
  dropped(bytes: number): void;
}

/** The stream faults currently acting on one pipe (null: not acting). */
export interface PipeFaults {
  latency: { fault: PipeFault; latencyMs: number; jitterMs: number } | null;
  bandwidth: { fault: PipeFault; bytesPerSecond: number } | null;
  /** Blackhole or timeout: every byte is discarded. */
  drop: PipeFault | null;
  /** limit-data: `left` bytes may still pass, then the connection is closed. */
  limit: { fault: PipeFault; left: number } | null;
  /** slow-close: the end of the stream is passed on this late. */
  slowClose: { fault: PipeFault; delayMs: number } | null;
}

interface Queued {
  bytes: Buffer;
  at: number;
}

/** Queued bytes above which the source is paused (latency and bandwidth hold data). */
const HIGH_WATER = 1 << 20;
/** Bandwidth-limited data leaves in slices of at most 1/20 s worth of bytes. */
const SLICES_PER_SECOND = 20;

export class Pipe {
  readonly faults: PipeFaults = { latency: null, bandwidth: null, drop: null, limit: null, slowClose: null };
  #plain = true;
  readonly #queue: Queued[] = [];
  #queuedBytes = 0;
  #lastAt = 0;
  #bandwidthFreeAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #ending = false;
  #ended = false;
  #pausedForQueue = false;
  #pausedForDrain = false;
  /** What waits for the queue to empty (a limit-data close, an end). */
  #after: (() => void) | null = null;

  constructor(
    readonly src: Duplex,
    readonly dst: Duplex,
    readonly random: () => number,
    /** The whole connection must close (limit-data reached). */
    readonly closeLink: () => void,
  ) {}

  /** Call after changing `faults`. */
  refresh(): void {
    const f = this.faults;
    this.#plain = !f.latency && !f.bandwidth && !f.drop && !f.limit;
    if (f.drop) this.#dropQueued(f.drop);
    else if (!f.latency && !f.bandwidth) this.#release(Infinity);
  }

  /** Bytes from the source (or injected by the proxy), to leave no earlier than `notBefore` (performance.now()). */
  push(bytes: Buffer, notBefore = 0): void {
    if (this.#ended || bytes.length === 0) return;
    if (this.#plain && this.#queue.length === 0 && notBefore === 0) {
      this.#write(bytes);
      return;
    }
    const f = this.faults;
    if (f.drop) {
      f.drop.touch();
      f.drop.dropped(bytes.length);
      return;
    }
    let limitReached = false;
    if (f.limit) {
      f.limit.fault.touch();
      if (bytes.length >= f.limit.left) {
        f.limit.fault.dropped(bytes.length - f.limit.left);
        bytes = bytes.subarray(0, f.limit.left);
        limitReached = true;
      }
      f.limit.left -= bytes.length;
    }
    this.#schedule(bytes, notBefore);
    if (limitReached) this.#afterQueue(this.closeLink);
  }

  /** The source ended (FIN): pass it on after the queued bytes, `slow-close` later still. */
  end(): void {
    if (this.#ending) return;
    this.#ending = true;
    const sc = this.faults.slowClose;
    const finish = () => {
      this.#ended = true;
      if (!this.dst.destroyed) this.dst.end();
    };
    this.#afterQueue(() => {
      if (!sc) return finish();
      sc.fault.touch();
      safeTimeout(finish, sc.delayMs).unref();
    });
  }

  /** Stops timers and drops what is queued (the connection is gone). */
  dispose(): void {
    this.#ended = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#after = null;
  }

  #schedule(bytes: Buffer, notBefore: number): void {
    const now = performance.now();
    const f = this.faults;
    let at = Math.max(now, notBefore, this.#lastAt);
    if (f.latency) {
      f.latency.fault.touch();
      const jitter = f.latency.jitterMs ? (this.random() * 2 - 1) * f.latency.jitterMs : 0;
      at = Math.max(at, now + Math.max(0, f.latency.latencyMs + jitter));
    }
    if (!f.bandwidth) this.#enqueue(bytes, at);
    else {
      f.bandwidth.fault.touch();
      const rate = f.bandwidth.bytesPerSecond;
      const slice = Math.max(1, Math.floor(rate / SLICES_PER_SECOND));
      for (let i = 0; i < bytes.length; i += slice) {
        const part = bytes.subarray(i, i + slice);
        at = Math.max(at, this.#bandwidthFreeAt);
        this.#bandwidthFreeAt = at + (part.length * 1000) / rate;
        this.#enqueue(part, at);
      }
    }
    this.#lastAt = at;
    this.#pump();
  }

  #enqueue(bytes: Buffer, at: number): void {
    this.#queue.push({ bytes, at });
    this.#queuedBytes += bytes.length;
    if (this.#queuedBytes > HIGH_WATER && !this.#pausedForQueue) {
      this.#pausedForQueue = true;
      this.src.pause();
    }
  }

  #pump(): void {
    if (this.#timer || this.#queue.length === 0) return;
    const wait = this.#queue[0].at - performance.now();
    if (wait <= 0.5) this.#release(performance.now() + 0.5);
    else
      this.#timer = safeTimeout(() => {
        this.#timer = null;
        this.#release(performance.now() + 0.5);
      }, wait);
  }

  /** Writes every queued chunk due by `until`, then waits for the next one. */
  #release(until: number): void {
    while (this.#queue.length && this.#queue[0].at <= until) {
      const q = this.#queue.shift()!;
      this.#queuedBytes -= q.bytes.length;
      this.#write(q.bytes);
    }
    if (this.#pausedForQueue && this.#queuedBytes <= HIGH_WATER / 2) {
      this.#pausedForQueue = false;
      if (!this.#pausedForDrain) this.src.resume();
    }
    if (this.#queue.length === 0) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      this.#lastAt = 0;
      const after = this.#after;
      this.#after = null;
      after?.();
      return;
    }
    this.#pump();
  }

  #dropQueued(drop: PipeFault): void {
    if (this.#queue.length === 0) return;
    drop.touch();
    drop.dropped(this.#queuedBytes);
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#release(Infinity);
  }

  /** Runs `fn` once the queue is empty (now, if it is). */
  #afterQueue(fn: () => void): void {
    if (this.#queue.length === 0) return fn();
    const prev = this.#after;
    this.#after = prev ? () => (prev(), fn()) : fn;
  }

  #write(bytes: Buffer): void {
    if (this.dst.destroyed) return;
    if (!this.dst.write(bytes) && !this.#pausedForDrain) {
      this.#pausedForDrain = true;
      this.src.pause();
      this.dst.once('drain', () => {
        this.#pausedForDrain = false;
        if (!this.#pausedForQueue) this.src.resume();
      });
    }
  }
}
