/**
 * Network failures become a short, stable `error_code` tag. We keep Node's and undici's own codes
 * (people search for them) and fold the synonyms that mean the same thing to the user.
 */
const FOLD: Record<string, string> = {
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_CONNECT_TIMEOUT: 'ECONNTIMEOUT',
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CLOSED: 'ECONNRESET',
  UND_ERR_DESTROYED: 'ECONNRESET',
  UND_ERR_ABORTED: 'EABORTED',
  EAI_AGAIN: 'ENOTFOUND',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'EPROTO',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'EPROTO',
  HPE_INVALID_CONSTANT: 'EPROTO',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'EMSGSIZE',
};

/** Errors that carry no code of their own, by class name. */
const BY_NAME: Record<string, string> = {
  // llhttp rejected the bytes (not HTTP at all, a bad status line or header): undici leaves `code` unset for some.
  HTTPParserError: 'EPROTO',
};

export function errorCodeOf(err: unknown): string {
  let e: unknown = err;
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
  if (typeof name === 'string' && BY_NAME[name] && typeof (err as { code?: unknown }).code !== 'string') return BY_NAME[name];
  // undici wraps the socket's error: prefer the innermost code that says what happened.
  for (let depth = 0; depth < 3 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET' && !code.startsWith('ERR_TLS') && !/CERT|SSL|TLS/.test(code)) {
      return FOLD[code] ?? code;
    }
    if (typeof code === 'string' && /CERT|SSL|TLS/.test(code)) return code;
    const cause = (e as { cause?: unknown }).cause;
    if (!cause) return typeof code === 'string' ? (FOLD[code] ?? code) : 'EUNKNOWN';
    e = cause;
  }
  return 'EUNKNOWN';
}
