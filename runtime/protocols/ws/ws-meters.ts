/**
 * The WebSocket metrics of one tag set (scenario, group, url, user tags), with every series
 * resolved once: a socket holds one pointer to its meters and records without building keys.
 */
import { METRIC } from '../../metrics/builtin.js';
import type { ConnectionMeter } from '../../metrics/connections.js';
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

  constructor(
    readonly store: WorkerMetricStore,
    readonly tags: Tags,
    /** connections_*{proto:ws} */
    readonly conns: ConnectionMeter,
  ) {
    this.sessions = store.series(METRIC.ws_sessions, tags);
    this.connecting = store.series(METRIC.ws_connecting, tags);
    this.sessionDuration = store.series(METRIC.ws_session_duration, tags);
    this.msgsSent = store.series(METRIC.ws_msgs_sent, tags);
    this.msgsReceived = store.series(METRIC.ws_msgs_received, tags);
    this.ping = store.series(METRIC.ws_ping, tags);
    this.dataSent = store.series(METRIC.data_sent, tags);
    this.dataReceived = store.series(METRIC.data_received, tags);
  }

  error(code: string): void {
    this.store.add(METRIC.ws_errors, 1, { ...this.tags, error_code: code });
  }
}

/** The meters of a session's tags, through the store's hot-path cache (by the context's tag object and the URL). */
export function wsMeters(store: WorkerMetricStore, ctxTags: Tags, url: string, userTags: Record<string, string> | undefined, conns: ConnectionMeter): WsMeters {
  const key = userTags ? `${url}\u0000${tagKey(userTags)}` : url;
  return store.cached<WsMeters>(ctxTags, 'ws.meters', key) ?? store.cache(ctxTags, 'ws.meters', key, new WsMeters(store, tagsOf(ctxTags, url, userTags), conns));
}

function tagsOf(ctxTags: Tags, url: string, userTags: Record<string, string> | undefined): Tags {
  const tags: Record<string, string> = { ...ctxTags, url };
  if (userTags) for (const k in userTags) tags[k] = String(userTags[k]);
  return tags;
}
