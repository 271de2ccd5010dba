// One `terrafm run` per run directory at a time: two processes resuming the same directory (a cluster
// retry overlapping a slow first attempt, a second terminal) would delete each other's unfinished
// shards. The lock is a file created exclusively in state/; a lock left by a process that died (SIGKILL,
// OOM) on this host is taken over, since its pid no longer exists.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { stateDir } from './state.js';
import { processAlive } from '../process-alive.js';

export const LOCK_FILE = 'run.lock';

interface LockInfo {
  pid: number;
  host: string;
}


/** Takes the run directory's lock; returns the function that releases it. */
export function lockRunDir(runDir: string): () => void {
  mkdirSync(stateDir(runDir), { recursive: true });
  const path = join(stateDir(runDir), LOCK_FILE);
  const me: LockInfo = { pid: process.pid, host: hostname() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let held: LockInfo | undefined;
    try {
      held = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    } catch {
      held = undefined; // torn write by a process killed while taking the lock: stale
    }
    if (held && (held.host !== me.host || processAlive(held.pid)) && !(held.host === me.host && held.pid === me.pid)) {
      throw new UsageError(
        `run directory ${runDir} is in use by process ${held.pid} on ${held.host} (${path}); expected one terrafm run per run directory: wait for it, or delete the lock file if that process is gone`,
      );
    }
    rmSync(path, { force: true }); // stale: its process is gone
  }
  throw new UsageError(`run directory ${runDir}: cannot take the lock ${path}; another process keeps taking it`);
}
