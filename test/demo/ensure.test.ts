// ensureDemoWorld generates only when needed, survives concurrent callers, regenerates stale folders
// and reports unusable locations clearly. Uses a one-place, one-scene world to stay fast.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoWorld, readCurrentStamp } from '../../src/demo/ensure.js';
import { STAMP_FILE } from '../../src/demo/generate.js';
import { StageError } from '../../src/errors.js';

const opts = { places: ['mafia-coast' as const], maxScenesPerPlace: 1 };
// Each generation of this reduced world takes ~4 s of CPU; allow for a busy shared machine.
const SLOW = 240_000;
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'demo-ensure-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ensureDemoWorld', () => {
  it('two concurrent callers: one generates, the other waits for it; no leftovers', async () => {
    const dir = join(root, 'world');
    const [x, y] = await Promise.all([ensureDemoWorld(dir, opts), ensureDemoWorld(dir, opts)]);
    expect(x.dir).toBe(dir);
    expect(y.dir).toBe(dir);
    expect([x.generated, y.generated].sort()).toEqual([false, true]);
    expect(x.itemCounts).toEqual({ 'sentinel-2-l2a': 2, 'sentinel-2-l1c': 2, 'sentinel-1-rtc': 1, 'esa-worldcover': 1 });
    expect(x.itemCount).toBe(6);
    expect(x.places.map((p) => p.id)).toEqual(['mafia-coast']);
    expect(await readCurrentStamp(dir, opts)).not.toBeNull();
    const catalog = JSON.parse(await readFile(x.catalog, 'utf8'));
    expect(catalog.links.filter((l: { rel: string }) => l.rel === 'child')).toHaveLength(4);
    // No temporary folder and no lock file left beside the world.
    expect((await readdir(root)).sort()).toEqual(['world']);
  }, SLOW);

  it('does not regenerate a current world', async () => {
    const dir = join(root, 'world');
    const t0 = performance.now();
    const again = await ensureDemoWorld(dir, opts);
    expect(again.generated).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2000);
    // Other options describe another world: the stamp does not match them.
    expect(await readCurrentStamp(dir, { places: ['abisko'], maxScenesPerPlace: 1 })).toBeNull();
    expect(await readCurrentStamp(dir, {})).toBeNull();
  });

  it('regenerates a stale world (other generator version), taking over a lock left by a dead process', async () => {
    const dir = join(root, 'world');
    const stampPath = join(dir, STAMP_FILE);
    const stamp = JSON.parse(await readFile(stampPath, 'utf8'));
    await writeFile(stampPath, JSON.stringify({ ...stamp, generatorVersion: '0.0.1' }));
    expect(await readCurrentStamp(dir, opts)).toBeNull();
    // A lock whose pid is far above any live process must not block (the process died mid-generation).
    await writeFile(`${dir}.lock`, '999999999');
    const info = await ensureDemoWorld(dir, opts);
    expect(info.generated).toBe(true);
    expect(JSON.parse(await readFile(stampPath, 'utf8')).generatorVersion).toBe(stamp.generatorVersion);
    expect((await readdir(root)).sort()).toEqual(['world']);
  }, SLOW);

  it('fails with a StageError when the location cannot hold a folder', async () => {
    const file = join(root, 'plain-file');
    await writeFile(file, 'x');
    const p = ensureDemoWorld(join(file, 'demo'), opts);
    await expect(p).rejects.toThrow(StageError);
    await expect(ensureDemoWorld(join(file, 'demo'), opts)).rejects.toThrow(/could not create a folder for the demo world next to .*plain-file\/demo.*expected a writable parent folder/);
  });
});
