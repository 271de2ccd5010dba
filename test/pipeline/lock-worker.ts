// Child process for the lock race test: on each {dir} message, tries to take the run lock once and
// answers whether it holds it; holds until told to release.
import { lockRunDir } from '../../src/runner/lock.js';

let release: (() => void) | undefined;
process.on('message', (m: { dir?: string; release?: boolean; exit?: boolean }) => {
  if (m.release) {
    release?.();
    release = undefined;
    process.send!({ released: true });
  } else if (m.exit) {
    process.exit(0);
  } else if (m.dir) {
    try {
      release = lockRunDir(m.dir);
      process.send!({ held: true });
    } catch (e) {
      process.send!({ held: false, error: (e as Error).message });
    }
  }
});
process.send!({ ready: true });
