/** The exact numbers thresholds compare with: the parser, the byte units and the evaluator share this shape. */

/** An exact rational number in lowest terms, `den > 0`. */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}
