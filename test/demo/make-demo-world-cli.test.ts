// scripts/make-demo-world.ts: help, usage errors (exit 2) and the no-op on a current world.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoWorld, REPO_ROOT } from '../../src/demo/ensure.js';

const exec = promisify(execFile);
const SCRIPT = join(REPO_ROOT, 'scripts/make-demo-world.ts');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: REPO_ROOT });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

beforeAll(async () => {
  await ensureDemoWorld();
}, 600_000);

describe('make-demo-world CLI', () => {
  it('--help lists every option', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const opt of ['--out DIR', '--force', '--places A,B', '--max-scenes N', '--quiet', '--help']) expect(r.stdout).toContain(opt);
    expect(r.stdout).toContain('mafia-coast, radolfzell, abisko');
  });

  it('rejects bad usage with exit code 2 and a message naming the problem', async () => {
    const bad = await cli('--bogus');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('cli: unknown option "--bogus"; see --help');
    const zero = await cli('--max-scenes', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--max-scenes: "0" is not a positive integer');
    const place = await cli('--places', 'atlantis');
    expect(place.code).toBe(2);
    expect(place.stderr).toContain('--places: unknown place atlantis; expected some of mafia-coast, radolfzell, abisko');
  });

  it('leaves a current world alone and says so', async () => {
    const r = await cli('--quiet');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^already current: .*data\/demo \(48 items: sentinel-2-l2a 18, sentinel-2-l1c 18, sentinel-1-rtc 9, esa-worldcover 3; 507 assets; \d+\.\d MB\)/);
  });
});
