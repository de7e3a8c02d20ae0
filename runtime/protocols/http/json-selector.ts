/**
 * `res.json(selector)`: a small path syntax into parsed JSON, the common part of k6's (gjson):
 * keys separated by dots (`user.name`), array indexes as keys (`items.0.id`), `#` for an array's
 * length (`items.#`), `items.#.id` for that key of every element, and `\.` for a dot inside a key.
 * A path that leads nowhere gives undefined, as in k6.
 */
import { usageError } from '../../errors.js';

export function splitSelector(selector: string): string[] {
  if (typeof selector !== 'string' || selector === '') throw usageError(`res.json(selector): the selector must be a non-empty string such as "user.name" or "items.0.id", received ${JSON.stringify(selector)}`);
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '\\' && i + 1 < selector.length) cur += selector[++i];
    else if (c === '.') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

export function selectJson(value: unknown, selector: string): unknown {
  return walk(value, splitSelector(selector), 0);
}

function walk(v: unknown, parts: string[], i: number): unknown {
  if (i === parts.length) return v;
  const key = parts[i];
  if (Array.isArray(v)) {
    if (key === '#') return i + 1 === parts.length ? v.length : v.map((e) => walk(e, parts, i + 1));
    if (!/^\d+$/.test(key)) return undefined;
    return walk(v[Number(key)], parts, i + 1);
  }
  if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
  return walk((v as Record<string, unknown>)[key], parts, i + 1);
}
