/**
 * `--http-debug[=full]` (k6's flag): each request's head and its response's head on stderr, with
 * the bodies under `full`. Credentials are masked: the values of authorization, proxy-authorization,
 * cookie, set-cookie and API-key-like headers are replaced by *** (an auth scheme stays readable).
 */
const SECRET = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)$/i;
const BODY_MAX = 64 * 1024;

function maskLine(line: string): string {
  const colon = line.indexOf(':');
  if (colon <= 0) return line;
  const name = line.slice(0, colon).trim();
  if (!SECRET.test(name)) return line;
  const value = line.slice(colon + 1).trim();
  const lower = name.toLowerCase();
  // Cookie names stay (which cookie was sent is what one debugs), their values go; a Set-Cookie's attributes stay.
  const masked = (pair: string) => (pair.includes('=') ? `${pair.slice(0, pair.indexOf('=') + 1)}***` : pair);
  if (lower === 'cookie') return `${name}: ${value.split(';').map((p) => masked(p.trim())).join('; ')}`;
  if (lower === 'set-cookie') {
    const [first, ...attrs] = value.split(';');
    return `${name}: ${[masked(first.trim()), ...attrs.map((a) => a.trim())].join('; ')}`;
  }
  const scheme = /^(Bearer|Basic|Digest|Token)\s/i.exec(value)?.[1];
  return `${name}: ${scheme ? `${scheme} ***` : '***'}`;
}

export function maskHead(head: string): string {
  return head.split('\r\n').map(maskLine).join('\n');
}

function bodyText(body: Uint8Array | string | null | undefined): string {
  if (body === null || body === undefined) return '';
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return text.length > BODY_MAX ? `${text.slice(0, BODY_MAX)}… (${text.length - BODY_MAX} more characters)` : text;
}

export interface DebugExchange {
  head: Buffer | string;
  requestBody: Uint8Array | undefined;
  proto: string;
  status: number;
  statusText: string;
  rawHeaders: string | null;
  responseBody: string | Uint8Array | null;
  error: string | undefined;
}

export function printHttpDebug(x: DebugExchange, full: boolean, out: { write(s: string): unknown } = process.stderr): void {
  const reqHead = typeof x.head === 'string' ? x.head : x.head.toString('latin1');
  let text = `Request:\n${maskHead(reqHead.trimEnd())}\n`;
  if (full && x.requestBody?.byteLength) text += `\n${bodyText(x.requestBody)}\n`;
  if (x.error) text += `\nResponse: (none) ${x.error}\n\n`;
  else {
    text += `\nResponse:\n${x.proto} ${x.status} ${x.statusText}\n${x.rawHeaders ? maskHead(x.rawHeaders.trimEnd()) : ''}\n`;
    if (full && x.responseBody) text += `\n${bodyText(x.responseBody)}\n`;
    text += '\n';
  }
  out.write(text);
}
