// Output directories are checked before any work: Node's recursive mkdir loops forever under /proc,
// and EPERM, ENOTDIR or a read-only file system halfway through a run would surface as an internal
// error after minutes of work. The nearest existing ancestor tells all of it up front.
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.js';

/** Kernel pseudo file systems: nothing a run writes belongs there. */
const PSEUDO = ['/proc', '/sys', '/dev'];

/** Throws UsageError (exit 2) unless `dir` exists as a writable directory or can be created. */
export function checkOutputDir(dir: string, what: string): void {
  const wanted = resolve(dir);
  let p = wanted;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && dirname(p) !== p) {
        p = dirname(p);
        continue;
      }
      if (code === 'ENOTDIR') throw new UsageError(`${what} ${dir}: a parent of it is a file, not a directory; expected a directory path`);
      throw new UsageError(`${what} ${dir}: cannot inspect ${p} (${code ?? (e as Error).message}); expected a directory you can write`);
    }
    if (!isDir) throw new UsageError(`${what} ${dir}: ${p} is a file, not a directory; expected a directory path`);
    break;
  }
  let real = p;
  try {
    real = realpathSync(p);
  } catch {
    // keep the lexical path
  }
  const pseudo = PSEUDO.find((r) => real === r || real.startsWith(`${r}/`));
  if (pseudo) throw new UsageError(`${what} ${dir}: ${real} is on the kernel's ${pseudo} file system; expected a directory on a disk`);
  try {
    accessSync(p, constants.W_OK | constants.X_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'is on a read-only file system' : 'is not writable by this user';
    throw new UsageError(`${what} ${dir}: ${p} ${why} (${code}); expected a directory you can write`);
  }
}
