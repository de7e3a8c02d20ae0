/**
 * `http` for scenario authors: k6's verbs, resolving to a response (never throwing on HTTP or
 * network errors). The types are in runtime/protocols/http/types.ts (exported by dsl/index.ts).
 */
import { parseDuration } from '../runtime/duration.js';
import type { BatchRequest, HttpResponse, RequestBody, RequestParams } from '../runtime/protocols/http/types.js';
import { currentVu, tracked } from '../runtime/worker/vu-context.js';

function send(what: string, method: string, url: string, body: RequestBody, params: RequestParams | undefined): Promise<HttpResponse> {
  const ctx = currentVu(what);
  const timeoutMs = params?.timeout === undefined ? undefined : parseDuration(params.timeout, `${what} params.timeout`, { allowZero: false });
  return tracked(ctx, what, ctx.http.request(method, url, body, params, ctx.tags, timeoutMs));
}

export const http = {
  get: (url: string, params?: RequestParams) => send('http.get()', 'GET', url, null, params),
  head: (url: string, params?: RequestParams) => send('http.head()', 'HEAD', url, null, params),
  options: (url: string, body?: RequestBody, params?: RequestParams) => send('http.options()', 'OPTIONS', url, body, params),
  post: (url: string, body?: RequestBody, params?: RequestParams) => send('http.post()', 'POST', url, body, params),
  put: (url: string, body?: RequestBody, params?: RequestParams) => send('http.put()', 'PUT', url, body, params),
  patch: (url: string, body?: RequestBody, params?: RequestParams) => send('http.patch()', 'PATCH', url, body, params),
  del: (url: string, body?: RequestBody, params?: RequestParams) => send('http.del()', 'DELETE', url, body, params),
  request: (method: string, url: string, body?: RequestBody, params?: RequestParams) =>
    send('http.request()', method.toUpperCase(), url, body, params),
  /** Sends the requests in parallel (up to `http.batchPerHost` connections per host) and resolves in order. */
  batch(requests: BatchRequest[]): Promise<HttpResponse[]> {
    return Promise.all(
      requests.map((r) => {
        if (typeof r === 'string') return send('http.batch()', 'GET', r, null, undefined);
        if (Array.isArray(r)) return send('http.batch()', r[0].toUpperCase(), r[1], r[2], r[3]);
        return send('http.batch()', (r.method ?? 'GET').toUpperCase(), r.url, r.body, r.params);
      }),
    );
  },
};
