/**
 * The keeper: a tiny Node process between mcprun and a managed target, so that the target (and
 * every process it started) dies with mcprun, however mcprun ends, SIGKILL included, which no
 * handler inside mcprun can catch. mcprun holds the write end of the keeper's stdin; the kernel
 * closes it when mcprun dies, and the keeper then SIGKILLs the target's whole process group.
 *
 * The keeper starts the target in a new session (its own process group, pgid = pid, away from
 * the terminal's Ctrl-C), with stdout and stderr on the log files mcprun opened (fds 3 and 4),
 * and reports on its stdout, one JSON line each: {"type":"spawned","pid"}, {"type":"error",
 * "code","message"} when the command cannot be started, {"type":"exit","code","signal"}. When the
 * target's first process exits, the keeper kills what is left of its group and exits too: one
 * keeper per start of the target. It ignores SIGINT, SIGTERM and SIGHUP: only its pipe ends it.
 *
 * It is source text run with `node -e`, not a module: it must not depend on where mcprun's files
 * are (bundled CLI, dist tree or sources under test) nor on how they were transformed.
 */

export type KeeperMessage =
  | { type: 'spawned'; pid: number }
  | { type: 'error'; code: string | undefined; message: string }
  | { type: 'exit'; code: number | null; signal: string | null };

export interface KeeperSpec {
  command: string[];
  env: Record<string, string>;
  cwd: string | undefined;
}

export const KEEPER_SOURCE = String.raw`
'use strict';
const { spawn } = require('node:child_process');
const spec = JSON.parse(process.argv[1]);
const say = (m) => { try { process.stdout.write(JSON.stringify(m) + '\n'); } catch {} };
process.stdout.on('error', () => {});
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {});
const child = spawn(spec.command[0], spec.command.slice(1), { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 3, 4], detached: true });
const killGroup = () => { if (child.pid) try { process.kill(-child.pid, 'SIGKILL'); } catch {} };
child.on('error', (err) => { say({ type: 'error', code: err.code, message: err.message }); process.exit(1); });
if (child.pid) say({ type: 'spawned', pid: child.pid });
child.on('exit', (code, signal) => { say({ type: 'exit', code, signal }); killGroup(); process.exit(0); });
const parentGone = () => { killGroup(); setTimeout(() => process.exit(0), 2000).unref(); };
process.stdin.on('end', parentGone);
process.stdin.on('error', parentGone);
process.stdin.on('close', parentGone);
process.stdin.resume();
`;
