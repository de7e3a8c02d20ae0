/**
 * Threshold strings as types, so an editor flags `'p95<<1'` or `'foo<1'` while the scenario is
 * written. Editor help only: runtime/thresholds/parser.ts is the authority (it also rejects what
 * `${number}` lets through, such as `1e3` or `.5`, and checks units against the metric).
 * Kept to one template so the union stays a few thousand members and type checking stays fast.
 */

type Aggregation = 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' | `p${number}` | `p(${number})`;
type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
/** At most one space on each side of the operator; `${number}` itself tolerates more. */
type Ws = '' | ' ';
/**
 * Times (a bare number on a time trend is ms), `%` for Rate metrics, `/s` `/m` for counter rates,
 * bytes for metrics of bytes (`kB`/`KB` are 1000, `KiB` 1024: `value<2KB`, `max<512MiB`).
 */
type Unit = '' | 'us' | 'µs' | 'ms' | 's' | 'm' | '%' | '/s' | '/m' | 'B' | 'kB' | 'KB' | 'KiB' | 'MB' | 'MiB' | 'GB' | 'GiB';

/** `'p95<100ms'`, `'p(99.9)<=2s'`, `'rate<0.05%'`, `'rate>10000/s'`, `'avg<200'`, `'med < 10ms'`, `'value<2KB'`. */
export type ThresholdExpression = `${Aggregation}${Ws}${Operator}${Ws}${number}${Unit}`;

export type ThresholdDefinition =
  | ThresholdExpression
  | {
      threshold: ThresholdExpression;
      /** Stop the whole test as soon as this threshold fails (evaluated every 2 s). @default false */
      abortOnFail?: boolean;
      /** With abortOnFail: do not abort before this much of the test has run, e.g. '30s'. */
      delayAbortEval?: string;
    };
