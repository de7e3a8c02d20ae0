/**
 * The WebSocket metrics of one tag set (scenario, group, url, user tags), with every series
 * resolved once: a socket holds one pointer to its meters and records without building keys.
 */
import { connectionMeter, type ConnectionMeter } from '../../metrics/connections.js';
import { tagKey } from '../../metrics/series-key.js';
import type { Tags } from '../../metrics/types.js';
import type { SeriesHandle, WorkerMetricStore } from '../../metrics/worker-store.js';

export class WsMeters {
  readonly sessions: SeriesHandle;
  readonly connecting: SeriesHandle;
  readonly sessionDuration: SeriesHandle;
  readonly msgsSent: SeriesHandle;
  readonly msgsReceived: SeriesHandle;
  readonly ping: SeriesHandle;
  readonly dataSent: SeriesHandle;
  readonly dataReceived: SeriesHandle;
  readonly conns: ConnectionMeter;

  constructor(
    readonly store: WorkerMetricStore,
    readonly tags: Tags,
  ) {
    this.sessions = store.series('ws_sessions', tags);
    this.connecting = store.series('ws_connecting', tags);
    this.sessionDuration = store.series('ws_session_duration', tags);
    this.msgsSent = store.series('ws_msgs_sent', tags);
    this.msgsReceived = store.series('ws_msgs_received', tags);
    this.ping = store.series('ws_ping', tags);
    this.dataSent = store.series('data_sent', tags);
    this.dataReceived = store.series('data_received', tags);
    this.conns = connectionMeter(store, 'ws');
  }

  error(code: string): void {
    this.store.add('ws_errors', 1, { ...this.tags, error_code: code });
  }
}

const cache = new WeakMap<WorkerMetricStore, Map<string, WsMeters>>();
const MAX_CACHED = 10_000;

/** Without user tags: by the context's tag object (shared by the VUs of a scenario and group) and URL, no key to build. */
const fast = new WeakMap<WorkerMetricStore, WeakMap<Tags, Map<string, WsMeters>>>();

export function wsMeters(store: WorkerMetricStore, ctxTags: Tags, url: string, userTags: Record<string, string> | undefined): WsMeters {
  if (userTags) return keyed(store, ctxTags, url, userTags);
  let byTags = fast.get(store);
  if (!byTags) fast.set(store, (byTags = new WeakMap()));
  let byUrl = byTags.get(ctxTags);
  if (!byUrl) byTags.set(ctxTags, (byUrl = new Map()));
  let m = byUrl.get(url);
  if (!m) {
    if (byUrl.size >= MAX_CACHED) byUrl.clear();
    m = keyed(store, ctxTags, url, undefined);
    byUrl.set(url, m);
  }
  return m;
}

function keyed(store: WorkerMetricStore, ctxTags: Tags, url: string, userTags: Record<string, string> | undefined): WsMeters {
  const tags: Record<string, string> = { ...ctxTags, url };
  if (userTags) for (const k in userTags) tags[k] = String(userTags[k]);
  const key = tagKey(tags);
  let byKey = cache.get(store);
  if (!byKey) {
    byKey = new Map();
    cache.set(store, byKey);
  }
  let m = byKey.get(key);
  if (!m) {
    if (byKey.size >= MAX_CACHED) byKey.clear();
    m = new WsMeters(store, tags);
    byKey.set(key, m);
  }
  return m;
}
