/**
 * Checks of the system-under-test inputs, run before any load is sent: each failure is one
 * paragraph naming the input, where it came from (`place`: `--sut-pid`, `options.sut.pid`) and the
 * fix, with exit code 104. What fails here would otherwise only show as an empty series at the end.
 */
import { McprunError } from '../errors.js';
import { assertFdsReadable, readStat } from './proc-files.js';
import { selectionMetric } from '../metrics/sut-catalogue.js';
import type { SeriesSelection } from './types.js';

/** Every PID exists now, is not mcprun itself, and its fds may be read (so its connections can be counted). */
export function checkSutPids(pids: readonly unknown[], place: string): number[] {
  if (process.platform !== 'linux') {
    throw new McprunError('MCPRUN_SUT_PID', `${place}: sampling a PID reads /proc, which this system (${process.platform}) does not have.`, {
      hint: 'Give the server a Prometheus endpoint and pass its URL (--sut-metrics) instead.',
    });
  }
  return pids.map((raw) => checkOnePid(raw, place));
}

function checkOnePid(raw: unknown, place: string): number {
  const pid = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  const shown = typeof raw === 'number' ? String(raw) : (JSON.stringify(raw) ?? String(raw));
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) {
    // Number(process.env.SUT_PID) with SUT_PID unset is the usual way to get here.
    const unset = Number.isNaN(raw) ? ' Number() of an environment variable that is not set gives NaN: pass it, e.g. -e SUT_PID="$(pgrep -n my-server)".' : '';
    throw new McprunError('MCPRUN_SUT_PID', `${place}: ${shown} is not a process ID.`, {
      hint: `Pass the PID of the server as a positive integer, e.g. --sut-pid "$(pgrep -n my-server)".${unset}`,
    });
  }
  if (pid === process.pid) {
    throw new McprunError('MCPRUN_SUT_PID', `${place}: PID ${pid} is mcprun itself, not the system under test.`, {
      hint: 'Pass the PID of the server that mcprun sends load to.',
    });
  }
  if (readStat(pid) === undefined) {
    throw new McprunError('MCPRUN_SUT_PID', `${place}: no process has PID ${pid}.`, {
      hint: 'Start the server first and pass its current PID (e.g. "$(pgrep -n my-server)"); a PID from an earlier start is stale.',
    });
  }
  try {
    assertFdsReadable(pid);
  } catch (err) {
    throw new McprunError('MCPRUN_SUT_PID', `${place}: the open files of PID ${pid} cannot be read (${(err as Error).message}).`, {
      hint: 'Run mcprun as the user that runs the server, or as root: its fds are how its connections are counted.',
    });
  }
  return pid;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** A http(s) URL on loopback (unless `allowRemote`); returns it parsed. */
export function checkMetricsUrl(raw: unknown, place: string, opts: { allowRemote?: boolean; allowRemoteHint?: string } = {}): URL {
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    const hostPort = /^[\w.-]+:\d+$/.test(String(raw)) ? `http://${String(raw)}/metrics` : undefined;
    throw new McprunError('MCPRUN_SUT_METRICS', `${place}: ${JSON.stringify(raw)} is not a URL.`, {
      hint: `Write the full address of the metrics endpoint${hostPort ? `: ${hostPort}` : ', e.g. http://127.0.0.1:9464/metrics'}.`,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new McprunError('MCPRUN_SUT_METRICS', `${place}: ${JSON.stringify(url.href)} is a ${url.protocol} URL; metrics are scraped over http or https.`, {
      hint: 'Write it as http://HOST:PORT/metrics.',
    });
  }
  if (!opts.allowRemote && !LOOPBACK.test(url.hostname)) {
    throw new McprunError('MCPRUN_SUT_METRICS', `${place}: ${url.host} is not a loopback address; by default mcprun scrapes only this machine.`, {
      hint: `Scrape the server through 127.0.0.1, [::1] or localhost, or allow other hosts explicitly (${opts.allowRemoteHint ?? 'allowRemote: true'}).`,
    });
  }
  return url;
}

const SERIES_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const METRIC_NAME = /^sut_[a-zA-Z0-9_]+$/;

/** Selected exposition series: valid names and labels, `as` given, and no two feeding the same metric. */
export function checkSeriesSelections(selections: readonly SeriesSelection[], place: string): void {
  const seen = new Set<string>();
  selections.forEach((s, i) => {
    const at = `${place}[${i}]`;
    const fail = (what: string, fix: string): never => {
      throw new McprunError('MCPRUN_SUT_METRICS', `${at}: ${what}.`, { hint: fix });
    };
    if (typeof s.name !== 'string' || !SERIES_NAME.test(s.name)) fail(`${JSON.stringify(s.name)} is not a Prometheus series name`, 'Write the name as the exposition spells it, e.g. "http_requests_total".');
    const labels: unknown = s.labels ?? {};
    if (typeof labels !== 'object' || labels === null || Object.values(labels).some((v) => typeof v !== 'string')) {
      fail(`labels must map label names to strings, got ${JSON.stringify(s.labels)}`, 'Write them as { code: "500" }.');
    }
    if (s.as !== 'gauge' && s.as !== 'rate') fail(`as: ${JSON.stringify(s.as)} is neither "gauge" nor "rate"`, 'Use as: "gauge" for a value taken as it is, as: "rate" for a counter per second.');
    const metric = selectionMetric(s);
    if (!METRIC_NAME.test(metric)) fail(`metric ${JSON.stringify(metric)} does not start with "sut_"`, `Name it "sut_${s.name}" or another sut_ name.`);
    if (seen.has(metric)) fail(`a second selection feeds ${metric}`, 'Give each selection its own metric name.');
    seen.add(metric);
  });
}
