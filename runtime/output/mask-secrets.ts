/**
 * Secret values never leave mcprun. The values of variables whose names look like secrets (from
 * -e and from the environment the scenario sees) are replaced by *** in all text mcprun writes:
 * stdout and stderr (the summary, error lines, what workers print), every file (--summary-export,
 * --out, reports, JUnit, handleSummary() files) and the Prometheus endpoint. One function,
 * `maskText`, applied where text leaves: maskedStream() for streams, the two file writers
 * (output-path.ts, file-sink.ts), the endpoint's body; nothing else masks.
 *
 * Each value is also masked as JSON, HTML/XML and URLs encode it, since outputs escape what they
 * quote. Values shorter than MIN_SECRET_LENGTH are left alone: masking "1" or "yes" everywhere
 * would garble the output and hide nothing.
 */
export const SECRET_NAME = /TOKEN|SECRET|PASS|PWD|AUTH|KEY|CREDENTIAL|PRIVATE|COOKIE|SESSION|SIGNATURE|CERT/i;
/** From the process environment these hold the working directory, not a password. */
const NOT_SECRET_IN_ENV = new Set(['PWD', 'OLDPWD']);
export const MIN_SECRET_LENGTH = 4;
const MASK = '***';

/**
 * The run's pattern, one per process even with two copies of this module loaded (dist/cli.mjs
 * forwards what workers print; the CLI bundle sets the secrets), hence the global symbol.
 */
const KEY = Symbol.for('mcprun.secretPattern');
const box = ((globalThis as Record<symbol, unknown>)[KEY] ??= { pattern: undefined }) as { pattern: RegExp | undefined };

/** The run's secrets: `env` is the environment the scenario sees, `given` the -e values (every secret-looking name counts there). */
export function setSecrets(env: Readonly<Record<string, string>>, given: Readonly<Record<string, string>> = {}): void {
  const values = new Set<string>();
  for (const [k, v] of Object.entries(env)) {
    if (!SECRET_NAME.test(k) || v.length < MIN_SECRET_LENGTH) continue;
    if (NOT_SECRET_IN_ENV.has(k.toUpperCase()) && given[k] !== v) continue;
    for (const form of encodings(v)) values.add(form);
  }
  const list = [...values].sort((a, b) => b.length - a.length).map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  box.pattern = list.length ? new RegExp(list.join('|'), 'g') : undefined;
}

function encodings(v: string): string[] {
  const html = v.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
  return [v, JSON.stringify(v).slice(1, -1), html, html.replace(/&#39;/g, '&apos;'), encodeURIComponent(v)].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

export function maskText(text: string): string {
  return box.pattern ? text.replace(box.pattern, MASK) : text;
}

/** Text or UTF-8 bytes, masked; other bytes pass as they are. */
export function maskChunk<T extends string | Uint8Array>(chunk: T): T | string {
  if (!box.pattern) return chunk;
  if (typeof chunk === 'string') return maskText(chunk);
  return maskText(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8'));
}

/** The stream itself for everything but write(), which masks first (isTTY, columns, cursor moves pass through). */
export function maskedStream<S extends NodeJS.WritableStream>(stream: S): S {
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write') return (chunk: string | Uint8Array, ...rest: unknown[]) => (target.write as (...a: unknown[]) => boolean)(maskChunk(chunk), ...rest);
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** -e values for reports: secret-looking names shown as *** (the values are masked everywhere anyway). */
export function maskSecrets(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[k] = SECRET_NAME.test(k) ? MASK : v;
  return out;
}
