/**
 * One request in flight: what the session needs to match its response by id, time it, time it
 * out and cancel it. A class, so the per-call hot path allocates one object and no closures
 * (timers get the call as their argument).
 */
import type { Tags } from '../../metrics/types.js';
import type { ProgressHandler } from './types.js';

const NO_TAGS: Tags = {};


export class PendingCall {
  /** performance.now() of the first byte that belongs to this call (HTTP headers, first related message). */
  tFirst = 0;
  /** HTTP status of the response that carried (or failed) this call; 0 on non-HTTP transports. */
  status = 0;
  timer: NodeJS.Timeout | null = null;
  /** The VU's tags when the script made the call (the group it was made in). */
  vuTags: Tags = NO_TAGS;
  done = false;
  /** The HTTP request that carries this call while it is in flight (HTTP transports): abandoning the call aborts it. */
  carrier: { abortNow(err: Error): void } | null = null;
  /** The session id this call was sent with (HTTP), to tell an old 404 from a new one. */
  sentSessionId: string | undefined = undefined;
  /** Already re-sent once after a 404 re-initialize. */
  retried = false;
  /** GET + Last-Event-ID resumptions of its SSE stream so far. */
  resumes = 0;
  progressEvents = 0;
  /** Modern era only: the params as given, kept to retry the call after an `input_required` result (MRTR). */
  params: Record<string, unknown> | undefined = undefined;
  /** The call asked for progress (its retries send a progress token too). */
  progress = false;
  /** `input_required` rounds answered so far. */
  rounds = 0;
  resolve!: (value: unknown) => void;

  constructor(
    readonly id: number,
    readonly method: string,
    /** The tool, prompt or resource URI (tags `tool`/`name`; the modern `Mcp-Name` header). */
    readonly name: string | undefined,
    /** The encoded JSON-RPC request (an MRTR retry sets it once its input responses are known). */
    public body: string,
    /** performance.now() when the script asked. */
    readonly t0: number,
    readonly timeoutMs: number,
    readonly onProgress: ProgressHandler | undefined,
    readonly userTags: Record<string, string> | undefined,
    /** Internal calls (the era probe) are not recorded as samples. */
    readonly recorded: boolean,
    readonly resetTimeoutOnProgress: boolean,
  ) {}
}

/**
 * The calls in flight of one session, by id. A held session mostly has none or one, so the first
 * sits in a field and a Map exists only while several overlap: an idle session holds no table.
 */
export class PendingCalls {
  #one: PendingCall | null = null;
  #more: Map<number, PendingCall> | null = null;

  get(id: number): PendingCall | undefined {
    const one = this.#one;
    if (one !== null && one.id === id) return one;
    return this.#more?.get(id);
  }

  set(call: PendingCall): void {
    if (this.#one === null) this.#one = call;
    else (this.#more ??= new Map()).set(call.id, call);
  }

  delete(id: number): void {
    if (this.#one !== null && this.#one.id === id) {
      this.#one = null;
      return;
    }
    const more = this.#more;
    if (more && more.delete(id) && more.size === 0) this.#more = null;
  }

  get size(): number {
    return (this.#one ? 1 : 0) + (this.#more?.size ?? 0);
  }

  /** A copy: failing a call removes it while the caller iterates. */
  list(): PendingCall[] {
    const out: PendingCall[] = [];
    if (this.#one) out.push(this.#one);
    if (this.#more) for (const c of this.#more.values()) out.push(c);
    return out;
  }
}
