/**
 * The lexical layer of threshold expressions: it splits the text into tokens that remember their
 * 1-based column, so every parse error can point at the character the user has to fix. Whitespace
 * is kept as a token because the grammar allows it only in some places (`p95 < 10ms`, not `10 ms`).
 *
 * Tokens are deliberately coarse: a word runs over letters, digits and dots, so `p99.9`, `p95x` and
 * `averge` each arrive as one token and an error can name the whole word; a number runs over digits
 * and dots, so `1.2.3` and `.5` arrive whole and the parser can say what is wrong with them.
 */

export type TokenKind =
  /** Starts with a letter or `_`: an aggregation (`avg`, `p95`, `p99.9`) or a unit (`ms`, `µs`). */
  | 'word'
  /** Starts with a digit or `.`; not validated here (`1.2.3` is one number token). */
  | 'number'
  /** A run of `<`, `>`, `=`, `!`; not validated here (`=<` is one operator token). */
  | 'operator'
  /** One of `(`, `)`, `-`, `%`, `/`. */
  | 'punct'
  | 'whitespace'
  /** Any other single character. */
  | 'other'
  /** After the last character; its text is empty. */
  | 'end';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based, counted in characters (code points), as an editor shows them. */
  readonly column: number;
}

const WORD_START = /[\p{L}_]/u;
const WORD_PART = /[\p{L}\p{N}_.]/u;
const NUMBER_PART = /[0-9.]/;
const OPERATOR_PART = /[<>=!]/;
const PUNCT = new Set(['(', ')', '-', '%', '/']);
const WHITESPACE = /\s/u;

/** Splits `source` into tokens; never throws, and always ends with one `end` token. */
export function tokenize(source: string): Token[] {
  const chars = Array.from(source);
  const tokens: Token[] = [];
  let i = 0;
  const take = (kind: TokenKind, part: RegExp): void => {
    const start = i;
    i++;
    while (i < chars.length && part.test(chars[i])) i++;
    tokens.push({ kind, text: chars.slice(start, i).join(''), column: start + 1 });
  };
  while (i < chars.length) {
    const ch = chars[i];
    if (WHITESPACE.test(ch)) take('whitespace', WHITESPACE);
    else if (WORD_START.test(ch)) take('word', WORD_PART);
    else if (NUMBER_PART.test(ch)) take('number', NUMBER_PART);
    else if (OPERATOR_PART.test(ch)) take('operator', OPERATOR_PART);
    else {
      tokens.push({ kind: PUNCT.has(ch) ? 'punct' : 'other', text: ch, column: i + 1 });
      i++;
    }
  }
  tokens.push({ kind: 'end', text: '', column: chars.length + 1 });
  return tokens;
}

/**
 * The candidate closest to `name` by edit distance (case-insensitive), for "did you mean" hints,
 * or undefined when none is within `maxDistance` (by default half the length of `name`, at least 2,
 * which catches `averge` → `avg` without suggesting `vus` for `foo`). Ties go to the earlier candidate.
 */
export function nearestName(
  name: string,
  candidates: readonly string[],
  maxDistance = Math.max(2, Math.floor(name.length / 2)),
): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const candidate of candidates) {
    const d = levenshtein(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[y.length];
}
