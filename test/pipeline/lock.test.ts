// The run lock cannot be held twice: many processes started at once on a stale lock (its process is
// gone), many times; exactly one holds it each time. A lock file still being written (empty, fresh)
// is not taken over; an empty one past the grace period is.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_GRACE_MS, lockRunDir } from '../../src/runner/lock.js';

const root = mkdtempSync(join(tmpdir(), 'terrafm-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const WORKER = fileURLToPath(new URL('./lock-worker.ts', import.meta.url));

function next(child: ChildProcess): Promise<{ held?: boolean; error?: string }> {
  return new Promise((resolve) => child.once('message', resolve as never));
}

function staleLock(dir: string): string {
  mkdirSync(join(dir, 'state'), { recursive: true });
  const gone = spawnSync('true').pid; // exited: its pid is free
  const f = join(dir, 'state', 'run.lock');
  writeFileSync(f, JSON.stringify({ pid: gone, host: hostname() }));
  return f;
}

describe('run lock under contention', () => {
  it('6 processes at once on a stale lock, 15 times: exactly one holder each time', async () => {
    const workers = Array.from({ length: 6 }, () => fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
    try {
      await Promise.all(workers.map(next)); // ready
      for (let trial = 0; trial < 15; trial++) {
        const dir = join(root, `race-${trial}`);
        staleLock(dir);
        const answers = await Promise.all(workers.map((w) => {
          const p = next(w);
          w.send({ dir });
          return p;
        }));
        const holders = answers.filter((a) => a.held);
        expect(holders, JSON.stringify(answers)).toHaveLength(1);
        for (const a of answers.filter((x) => !x.held)) expect(a.error).toMatch(/is in use by process \d+ on /);
        await Promise.all(workers.map((w) => {
          const p = next(w);
          w.send({ release: true });
          return p;
        }));
      }
    } finally {
      for (const w of workers) w.kill('SIGKILL');
    }
  }, 120_000);

  it('a fresh empty lock file (being written) is not taken over; past the grace period it is', () => {
    const dir = join(root, 'empty');
    const f = staleLock(dir);
    writeFileSync(f, '');
    const t0 = Date.now();
    expect(() => lockRunDir(dir)).not.toThrow(); // waits out the grace, then takes it over
    expect(Date.now() - t0).toBeGreaterThanOrEqual(LOCK_GRACE_MS - 100);
    const dir2 = join(root, 'old-empty');
    const f2 = staleLock(dir2);
    writeFileSync(f2, '');
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(f2, old, old);
    const t1 = Date.now();
    lockRunDir(dir2)();
    expect(Date.now() - t1).toBeLessThan(LOCK_GRACE_MS);
  });
});
