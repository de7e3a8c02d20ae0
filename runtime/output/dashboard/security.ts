/**
 * Who may see and steer a run through the dashboard. Pure functions of the request's method,
 * headers and URL, so each rule is unit-tested without a socket.
 *
 * - Loopback (127.0.0.0/8, ::1, localhost) is the default and needs no token. Any other address
 *   needs one (`--dashboard-token` or MCPRUN_DASHBOARD_TOKEN; refused before load otherwise), and
 *   then every request must carry it: `Authorization: Bearer <token>`, the cookie the page sets
 *   when opened once as `/?token=<token>`, or (for the page and the event stream only) `?token=`.
 * - Without a token the Host header must name an address literal or localhost: a web page that
 *   rebinds its own domain name to 127.0.0.1 (DNS rebinding) sends its own host name and is refused.
 * - State-changing requests (POST, PATCH) from a browser must come from the page itself: an
 *   `Origin` other than the dashboard's, or `Sec-Fetch-Site` other than same-origin, is refused
 *   (a cross-site form or script cannot pause or stop a run). A client without those headers
 *   (curl) is not a browser, and the token is what protects it.
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export const TOKEN_COOKIE = 'mcprun_dashboard_token';

export interface RequestFacts {
  method: string;
  /** Path and query, as in the request line. */
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface Refusal {
  status: 401 | 403;
  message: string;
}

/** 127.0.0.0/8, ::1 and localhost are reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function header(r: RequestFacts, name: string): string | undefined {
  const v = r.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The host part of a Host header ("127.0.0.1:8080", "[::1]:8080", "example.test"). */
export function hostOf(hostHeader: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader);
  if (v6) return v6[1];
  return hostHeader.replace(/:\d+$/, '');
}

/** The token as presented: bearer header, cookie, or `?token=` on a GET. */
export function presentedToken(r: RequestFacts): string | undefined {
  const auth = header(r, 'authorization');
  const bearer = auth && /^Bearer\s+(.+)$/i.exec(auth.trim());
  if (bearer) return bearer[1].trim();
  for (const part of (header(r, 'cookie') ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return decodeURIComponent(v.join('='));
  }
  if (r.method === 'GET') {
    const q = new URL(r.url, 'http://x').searchParams.get('token');
    if (q) return q;
  }
  return undefined;
}

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Undefined when the request may go on; otherwise the status and the reason. */
export function refusalOf(r: RequestFacts, token: string | undefined): Refusal | undefined {
  const host = header(r, 'host') ?? '';
  if (token === undefined) {
    const h = hostOf(host);
    if (!(isLoopbackHost(h) || isIP(h))) return { status: 403, message: `the Host header ${JSON.stringify(host)} is not an address of this dashboard; open it by its address, e.g. http://127.0.0.1:<port>/` };
  } else {
    const given = presentedToken(r);
    if (given === undefined) return { status: 401, message: 'this dashboard needs its token: send Authorization: Bearer <token>, or open /?token=<token> once in the browser' };
    if (!tokensEqual(given, token)) return { status: 401, message: 'the token does not match this dashboard\'s (--dashboard-token or MCPRUN_DASHBOARD_TOKEN)' };
  }
  if (r.method === 'POST' || r.method === 'PATCH') {
    const origin = header(r, 'origin');
    if (origin !== undefined && origin !== `http://${host}`) return { status: 403, message: `cross-origin request from ${origin} refused: the run is steered from its own dashboard page or a client without an Origin header` };
    const site = header(r, 'sec-fetch-site');
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return { status: 403, message: `cross-site request (Sec-Fetch-Site: ${site}) refused` };
  }
  return undefined;
}
