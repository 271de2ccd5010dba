// One `terrafm run` per run directory at a time: two processes resuming the same directory (a cluster
// retry overlapping a slow first attempt, a second terminal) would delete each other's unfinished
// shards. The lock is state/run.lock, and no step can let two processes hold it:
//   - taking it is one atomic step: the lock's content is written to a private file first, which is
//     then hard-linked to run.lock (link fails if run.lock exists), so run.lock is never seen empty
//     or half written by our own writers;
//   - a lock whose process is gone (SIGKILL, OOM; same host) is taken over under a takeover mutex
//     (an exclusive mkdir): only the mutex holder removes it, after checking it is still the very
//     file (inode) judged stale; then everyone races on the atomic link again and exactly one wins;
//   - a lock file that cannot be parsed (written by an older version that created then wrote it) is
//     given a grace period before it counts as stale: it may be one still being written.
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { stateDir } from '../pipeline/layout.js';
import { processAlive } from '../process-alive.js';

export const LOCK_FILE = 'run.lock';
/** How long an unparseable lock file counts as being written (held), from its mtime. */
export const LOCK_GRACE_MS = 2000;
/** A takeover mutex older than this was left by a process that died while taking over. */
const MUTEX_STALE_MS = 10_000;
/** How long to keep trying while others take over a stale lock or one is being written. */
const PATIENCE_MS = 10_000;

interface LockInfo {
  pid: number;
  host: string;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

type Seen = { kind: 'gone' } | { kind: 'held'; info: LockInfo } | { kind: 'writing' } | { kind: 'stale'; ino: number };

/** What is at `path` now: nothing, a live holder, a lock being written, or a stale lock (by inode). */
function inspect(path: string, me: LockInfo): Seen {
  let ino: number;
  let mtimeMs: number;
  let text: string;
  try {
    ({ ino, mtimeMs } = statSync(path));
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (code(e) === 'ENOENT') return { kind: 'gone' };
    throw e;
  }
  let info: LockInfo | undefined;
  try {
    const j = JSON.parse(text) as LockInfo;
    if (Number.isInteger(j.pid) && typeof j.host === 'string') info = j;
  } catch {
    info = undefined;
  }
  if (!info) return Date.now() - mtimeMs < LOCK_GRACE_MS ? { kind: 'writing' } : { kind: 'stale', ino };
  const mine = info.host === me.host && info.pid === me.pid;
  if (!mine && (info.host !== me.host || processAlive(info.pid))) return { kind: 'held', info };
  return { kind: 'stale', ino };
}

/** Removes the lock at `path` if it is still the stale file `ino`, holding the takeover mutex. */
function takeOver(path: string, ino: number, me: LockInfo): void {
  const mutex = `${path}.takeover`;
  try {
    mkdirSync(mutex);
  } catch (e) {
    if (code(e) !== 'EEXIST') throw e;
    try {
      if (Date.now() - statSync(mutex).mtimeMs > MUTEX_STALE_MS) {
        // left by a process that died mid-takeover: move it aside (only one mover succeeds)
        const aside = `${mutex}.${me.pid}.${Date.now()}`;
        renameSync(mutex, aside);
        rmdirSync(aside);
      }
    } catch {
      // another process moved it first
    }
    return; // someone else is taking over: go round again
  }
  try {
    let now: number | undefined;
    try {
      now = statSync(path).ino;
    } catch (e) {
      if (code(e) !== 'ENOENT') throw e;
    }
    const again = now === ino ? inspect(path, me) : undefined;
    if (again?.kind === 'stale' && again.ino === ino) rmSync(path, { force: true });
  } finally {
    rmdirSync(mutex);
  }
}

/** Takes the run directory's lock; returns the function that releases it. */
export function lockRunDir(runDir: string): () => void {
  mkdirSync(stateDir(runDir), { recursive: true });
  const path = join(stateDir(runDir), LOCK_FILE);
  const me: LockInfo = { pid: process.pid, host: hostname() };
  const mine = `${path}.${me.pid}.${Date.now()}.tmp`;
  const fd = openSync(mine, 'wx');
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  try {
    const deadline = Date.now() + PATIENCE_MS;
    while (Date.now() < deadline) {
      try {
        linkSync(mine, path);
        const { ino } = statSync(mine);
        return () => {
          // release only our own lock (never one a later process took after a takeover)
          try {
            if (statSync(path).ino === ino) rmSync(path, { force: true });
          } catch {
            // already gone
          }
        };
      } catch (e) {
        if (code(e) !== 'EEXIST') throw e;
      }
      const seen = inspect(path, me);
      if (seen.kind === 'held') {
        throw new UsageError(
          `run directory ${runDir} is in use by process ${seen.info.pid} on ${seen.info.host} (${path}); expected one terrafm run per run directory: wait for it, or delete the lock file if that process is gone`,
        );
      }
      if (seen.kind === 'stale') takeOver(path, seen.ino, me);
      sleepSync(seen.kind === 'writing' ? 50 : 2);
    }
  } finally {
    rmSync(mine, { force: true });
  }
  throw new UsageError(`run directory ${runDir}: cannot take the lock ${path}; another process keeps taking it`);
}
