/**
 * The session.jsonl format `mcprun record` writes and `mcp.replay` reads: one JSON object per
 * line. The first line is `{ "type": "meta", "version": 1, "upstream": URL, "startedAt": ISO }`;
 * then one line per JSON-RPC message that crossed the proxy, in the order it did:
 * `{ "t": ms since the start, "dir": "c2s" | "s2c", "session": Mcp-Session-Id | null, "msg": {…} }`.
 * A batch is written as its messages, one line each. HTTP-level events (DELETE of a session) are
 * `{ "t", "dir": "c2s", "session", "http": "DELETE" }`.
 */
import type { JsonRpcMessage } from './types.js';

export interface RecordingMeta {
  type: 'meta';
  version: 1;
  upstream: string;
  startedAt: string;
}

export interface RecordedMessage {
  t: number;
  dir: 'c2s' | 's2c';
  session: string | null;
  msg?: JsonRpcMessage;
  http?: 'DELETE';
}

export interface Recording {
  meta: RecordingMeta;
  messages: RecordedMessage[];
}

/** Parses a recording; throws with the line number of what is wrong. */
export function parseRecording(text: string, where: string): Recording {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const out: RecordedMessage[] = [];
  let meta: RecordingMeta | undefined;
  lines.forEach((line, i) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw new Error(`${where}:${i + 1}: not JSON (${(err as Error).message})`);
    }
    const o = v as Record<string, unknown>;
    if (i === 0) {
      if (o.type !== 'meta' || typeof o.upstream !== 'string') throw new Error(`${where}:1: expected the recording's meta line {"type":"meta","upstream":…}; is this a file written by mcprun record?`);
      meta = o as unknown as RecordingMeta;
      return;
    }
    if ((o.dir !== 'c2s' && o.dir !== 's2c') || typeof o.t !== 'number') throw new Error(`${where}:${i + 1}: expected {"t":…,"dir":"c2s"|"s2c",…}`);
    out.push(o as unknown as RecordedMessage);
  });
  if (!meta) throw new Error(`${where}: empty recording`);
  return { meta, messages: out };
}
