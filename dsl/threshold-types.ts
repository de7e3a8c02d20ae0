/**
 * Threshold strings as types, so an editor flags `'p95<<1'` or `'foo<1'` while the scenario is
 * written. Editor help only: runtime/thresholds/parser.ts is the authority (it also rejects what
 * `${number}` lets through, such as `1e3` or `.5`, and checks units against the metric).
 * Kept to one template per metric kind so each union stays a few thousand members and type
 * checking stays fast.
 *
 * Where the metric is a built-in one, its key takes only the aggregations its kind has (the
 * validator's SUPPORTED_AGGREGATIONS): `checks` (a rate) takes `rate<...`, `http_req_duration` (a
 * trend) takes avg/min/max/med/count/percentiles. The kinds come from the one metric catalogue
 * (runtime/metrics/builtin.ts), so a new built-in metric is typed without an edit here.
 */
import type { METRICS } from '../runtime/metrics/builtin.js';

type Percentile = `p${number}` | `p(${number})`;
type Aggregation = 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' | Percentile;
/** What each metric kind can be judged on (runtime/thresholds/validator.ts, SUPPORTED_AGGREGATIONS). */
interface AggregationsOf {
  counter: 'count' | 'rate';
  gauge: 'value' | 'min' | 'max';
  rate: 'rate';
  trend: 'avg' | 'min' | 'max' | 'med' | 'count' | Percentile;
}
type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
/** At most one space on each side of the operator; `${number}` itself tolerates more. */
type Ws = '' | ' ';
/**
 * Times (a bare number on a time trend is ms), `%` for Rate metrics, `/s` `/m` for counter rates,
 * bytes for metrics of bytes (`kB`/`KB` are 1000, `KiB` 1024: `value<2KB`, `max<512MiB`).
 */
type Unit = '' | 'us' | 'µs' | 'ms' | 's' | 'm' | '%' | '/s' | '/m' | 'B' | 'kB' | 'KB' | 'KiB' | 'MB' | 'MiB' | 'GB' | 'GiB';

type Expression<A extends string> = `${A}${Ws}${Operator}${Ws}${number}${Unit}`;

/** `'p95<100ms'`, `'p(99.9)<=2s'`, `'rate<0.05%'`, `'rate>10000/s'`, `'avg<200'`, `'med < 10ms'`, `'value<2KB'`. */
export type ThresholdExpression = Expression<Aggregation>;

/** A threshold on a metric of kind `K`: `ThresholdFor<'rate'>` is `'rate<0.01'`, `'rate<1%'`... */
export type ThresholdFor<K extends MetricKind> = Expression<AggregationsOf[K]>;

export type MetricKind = keyof AggregationsOf;

/** A threshold as a string or in object form. */
export type ThresholdDefinitionOf<E extends string> =
  | E
  | {
      threshold: E;
      /** Stop the whole test as soon as this threshold fails (evaluated every 2 s). @default false */
      abortOnFail?: boolean;
      /** With abortOnFail: do not abort before this much of the test has run, e.g. '30s'. */
      delayAbortEval?: string;
    };

export type ThresholdDefinition = ThresholdDefinitionOf<ThresholdExpression>;

type Catalogue = typeof METRICS;
/** The built-in metrics of kind `K` ('checks', 'http_req_failed'... for 'rate'). */
export type BuiltinMetricOf<K extends MetricKind> = { [M in keyof Catalogue]: Catalogue[M]['type'] extends K ? M : never }[keyof Catalogue];

type KeyOf<K extends MetricKind> = BuiltinMetricOf<K> | `${BuiltinMetricOf<K>}{${string}}`;
/** The kind of a threshold key: `checks` and `checks{scenario:login}` are 'rate'; a custom metric's key is unknown here. */
type KindOfKey<Key> = Key extends KeyOf<'rate'> ? 'rate' : Key extends KeyOf<'trend'> ? 'trend' : Key extends KeyOf<'counter'> ? 'counter' : Key extends KeyOf<'gauge'> ? 'gauge' : undefined;
type DefinitionsFor<Key> = KindOfKey<Key> extends infer K extends MetricKind ? ThresholdDefinitionOf<ThresholdFor<K>>[] : ThresholdDefinition[];

/**
 * `'http_req_duration'` or with tag filters `'http_req_duration{status:200}'`: any metric, any
 * aggregation the grammar has. defineScenario() checks more (CheckedThresholds).
 */
export type Thresholds = Record<string, ThresholdDefinition[]>;

/**
 * Thresholds as written (`TH`, inferred by defineScenario), each key checked against its metric's
 * kind: built-in metrics take their kind's aggregations, custom ones (`new Trend('login_time')`)
 * any. A mapped type over the keys as written rather than an intersection with an index
 * signature: that intersection multiplies two unions of thousands of templates (TS2590). Where
 * the keys cannot be seen (an object built at run time), plain Thresholds.
 */
export type CheckedThresholds<TH> = unknown extends TH ? Thresholds : { [Key in keyof TH]?: DefinitionsFor<Key> };
