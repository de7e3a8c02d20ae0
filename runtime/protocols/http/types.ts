/** `options.http` as resolved (durations in ms, defaults applied): what every VU's HTTP client is built from. */
export interface HttpConfig {
  timeoutMs: number;
  shareConnections: boolean;
  batchPerHost: number;
  insecureSkipTLSVerify: boolean;
  /** @default 10 */
  maxRedirects?: number;
}
