/**
 * Where a managed target's program is, found as the shell would (execvp): a name with a "/" is a
 * path (relative to the target's cwd), any other name is looked up in PATH. Checked before any
 * load, so a typo in `command` is a config error (exit 104) rather than a failure mid-run.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** The executable file's absolute path, or undefined when there is none. */
export function findExecutable(program: string, cwd: string, pathVar: string | undefined): string | undefined {
  if (program.includes('/')) return executable(isAbsolute(program) ? program : resolve(cwd, program));
  for (const dir of (pathVar ?? '').split(delimiter)) {
    // An empty PATH entry means the current directory (POSIX).
    const found = executable(join(dir === '' ? cwd : resolve(cwd, dir), program));
    if (found) return found;
  }
  return undefined;
}

function executable(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return undefined;
    accessSync(file, constants.X_OK);
    return file;
  } catch {
    return undefined;
  }
}
