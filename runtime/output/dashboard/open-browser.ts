/**
 * `--dashboard-open`: which command opens the page, and starting it. `BROWSER` wins when set, as
 * xdg-open and Python's webbrowser read it: a command line (no shell; the first entry of a
 * `:`-separated list, `;` on Windows), `%s` replaced by the URL or the URL appended, and
 * `BROWSER=none` not to open anything. Otherwise the platform's opener: `open` on macOS,
 * `start` on Windows, `xdg-open` where there is a desktop (DISPLAY or WAYLAND_DISPLAY).
 */
import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';

/** The argv that opens `url`, or a reason why nothing will be opened. */
export function openerCommand(url: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] | { reason: string } {
  const browser = env.BROWSER?.split(delimiter).map((s) => s.trim()).find((s) => s !== '');
  if (browser !== undefined) {
    if (browser === 'none') return { reason: 'BROWSER=none' };
    const words = browser.split(/\s+/);
    return words.some((w) => w.includes('%s')) ? words.map((w) => w.replaceAll('%s', url)) : [...words, url];
  }
  if (platform === 'darwin') return ['open', url];
  if (platform === 'win32') return ['cmd', '/c', 'start', '', url];
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return ['xdg-open', url];
  return { reason: 'no desktop here (DISPLAY is not set, nor BROWSER)' };
}

/** Starts the opener detached (it may outlive the run); a failure is a line on stderr, never the run's end. */
export function openBrowser(url: string, stderr: NodeJS.WritableStream): void {
  const cmd = openerCommand(url);
  if (!Array.isArray(cmd)) {
    stderr.write(`mcprun: --dashboard-open: ${cmd.reason}; open the address above in a browser.\n`);
    return;
  }
  try {
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: 'ignore', detached: true });
    child.on('error', (err) => stderr.write(`mcprun: --dashboard-open: ${cmd[0]} could not be started (${err.message}); open the address above in a browser.\n`));
    child.unref();
  } catch (err) {
    stderr.write(`mcprun: --dashboard-open: ${(err as Error).message}; open the address above in a browser.\n`);
  }
}
