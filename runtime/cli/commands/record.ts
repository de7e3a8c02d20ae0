/**
 * `mcprun record --upstream URL --listen 127.0.0.1:PORT --out session.jsonl`: a recording proxy
 * (protocols/mcp/record-proxy.ts) until SIGINT or SIGTERM, then the file is closed and the count
 * printed. Loopback only: the recording holds what the client sends, credentials included.
 */
import type { CommandContext } from '../cli-io.js';
import { McprunError } from '../../errors.js';
import { EXIT_CODES } from '../../exit-codes.js';
import { reportError } from '../../output/error-report.js';
import { startRecordProxy } from '../../protocols/mcp/record-proxy.js';

export const RECORD_USAGE = `Usage: mcprun record --upstream URL --out session.jsonl [--listen 127.0.0.1:PORT]

Sits between an MCP client and a Streamable HTTP or legacy SSE server (its /sse URL), passes everything through and writes every JSON-RPC message with its timing. Point the client at the printed URL; Ctrl-C ends the recording.`;

interface RecordArgs {
  upstream?: string;
  listen: string;
  out?: string;
}

function parse(argv: string[]): RecordArgs | 'help' {
  const out: RecordArgs = { listen: '127.0.0.1:0' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return 'help';
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (!['--upstream', '--listen', '--out'].includes(name)) throw new McprunError('MCPRUN_CLI', `mcprun record: unknown argument ${a}`, { hint: RECORD_USAGE });
    if (value === undefined) throw new McprunError('MCPRUN_CLI', `mcprun record: ${name} needs a value`, { hint: RECORD_USAGE });
    (out as unknown as Record<string, string>)[name.slice(2)] = value;
  }
  return out;
}

function checkArgs(a: RecordArgs): { upstream: string; host: string; port: number; out: string } {
  if (!a.upstream) throw new McprunError('MCPRUN_CLI', 'mcprun record: --upstream URL is required (the MCP server, e.g. http://127.0.0.1:3001/mcp)', { hint: RECORD_USAGE });
  if (!a.out) throw new McprunError('MCPRUN_CLI', 'mcprun record: --out FILE is required (where the session.jsonl goes)', { hint: RECORD_USAGE });
  let url: URL;
  try {
    url = new URL(a.upstream);
  } catch {
    throw new McprunError('MCPRUN_CLI', `mcprun record: --upstream ${JSON.stringify(a.upstream)} is not a URL`, { hint: 'Write http://HOST:PORT/PATH.' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new McprunError('MCPRUN_CLI', `mcprun record: --upstream must be http:// or https:// (Streamable HTTP or legacy SSE), received ${url.protocol}`);
  const m = /^(\[?[^\]]*\]?|[^:]+):(\d+)$/.exec(a.listen);
  if (!m) throw new McprunError('MCPRUN_CLI', `mcprun record: --listen ${JSON.stringify(a.listen)} is not HOST:PORT`, { hint: 'Write --listen 127.0.0.1:8931.' });
  const host = m[1].replace(/^\[|\]$/g, '');
  if (!/^127\.\d+\.\d+\.\d+$/.test(host) && host !== 'localhost' && host !== '::1') {
    throw new McprunError('MCPRUN_CLI', `mcprun record: --listen ${a.listen}: the recorder listens on loopback only (127.x, ::1), since a recording holds what the client sends, tokens included`, { hint: 'Use 127.0.0.1 and run the client on this machine.' });
  }
  return { upstream: url.href, host, port: Number(m[2]), out: a.out };
}

/** Records until the first Ctrl-C/SIGTERM (the CLI's graceful stop signal). */
export async function runRecord(argv: string[], ctx: CommandContext): Promise<number> {
  const io = ctx.io;
  let proxy;
  try {
    const parsed = parse(argv);
    if (parsed === 'help') {
      io.stdout.write(`${RECORD_USAGE}\n`);
      return EXIT_CODES.OK;
    }
    const a = checkArgs(parsed);
    proxy = await startRecordProxy(a);
    io.stderr.write(`mcprun record: listening on ${proxy.url} -> ${a.upstream}; writing ${a.out}. Ctrl-C ends the recording.\n`);
  } catch (err) {
    return reportError(err, io.stderr, false);
  }
  if (!ctx.signal.aborted) await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  await proxy.close();
  io.stderr.write(`mcprun record: ${proxy.messages} messages recorded.\n`);
  return EXIT_CODES.OK;
}
