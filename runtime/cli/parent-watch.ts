/**
 * `npx mcprun` runs mcprun under npm (npm → sh → node). SIGTERM to the top process only (what
 * `timeout`, CI runners, `docker stop` and Kubernetes send) ends npm and the shell at once, and
 * mcprun would run on, orphaned, sending load to the end of the test. Started by npm, mcprun
 * watches its parent: when the parent is gone (our parent pid changes: we were handed to init or a
 * subreaper) it stops as on SIGTERM, gracefully, and writes its summary. Not when started
 * otherwise: `nohup mcprun ... &` outliving its shell is what the user asked for.
 */
const POLL_MS = 250;

/** Started by npm, npx or an npm script (npm sets these for every process it starts). */
export function startedByNpm(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.npm_execpath || env.npm_config_user_agent?.startsWith('npm/'));
}

/** Calls `onGone(ppid)` once when the parent process is gone. Returns the undo. */
export function watchParent(onGone: (parentPid: number) => void): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone(parent);
  }, POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
