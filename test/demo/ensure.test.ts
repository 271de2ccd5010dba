// ensureDemoWorld generates only when needed, survives concurrent callers, regenerates stale folders
// and reports unusable locations clearly. Uses a one-place, one-scene world to stay fast.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoWorld, readCurrentStamp } from '../../src/demo/ensure.js';
import { STAMP_FILE } from '../../src/demo/generate.js';
import { StageError } from '../../src/errors.js';

const opts = { places: ['abisko' as const], maxScenesPerPlace: 1 };
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'demo-ensure-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ensureDemoWorld', () => {
  it('two concurrent callers end with one complete world and no leftovers', async () => {
    const dir = join(root, 'world');
    const [x, y] = await Promise.all([ensureDemoWorld(dir, opts), ensureDemoWorld(dir, opts)]);
    expect(x.dir).toBe(dir);
    expect(y.dir).toBe(dir);
    expect([x.generated, y.generated]).toContain(true);
    expect(x.itemCounts).toEqual({ 'sentinel-2-l2a': 2, 'sentinel-2-l1c': 2, 'sentinel-1-rtc': 1, 'esa-worldcover': 1 });
    expect(x.itemCount).toBe(6);
    expect(x.places.map((p) => p.id)).toEqual(['abisko']);
    expect(await readCurrentStamp(dir, opts)).not.toBeNull();
    const catalog = JSON.parse(await readFile(x.catalog, 'utf8'));
    expect(catalog.links.filter((l: { rel: string }) => l.rel === 'child')).toHaveLength(4);
    // Temporary folders of the loser were removed.
    expect((await readdir(root)).sort()).toEqual(['world']);
  });

  it('does not regenerate a current world', async () => {
    const dir = join(root, 'world');
    const t0 = performance.now();
    const again = await ensureDemoWorld(dir, opts);
    expect(again.generated).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2000);
    // Other options describe another world: the stamp does not match them.
    expect(await readCurrentStamp(dir, { places: ['radolfzell'], maxScenesPerPlace: 1 })).toBeNull();
  });

  it('regenerates a stale world (other generator version)', async () => {
    const dir = join(root, 'world');
    const stampPath = join(dir, STAMP_FILE);
    const stamp = JSON.parse(await readFile(stampPath, 'utf8'));
    await writeFile(stampPath, JSON.stringify({ ...stamp, generatorVersion: '0.0.1' }));
    expect(await readCurrentStamp(dir, opts)).toBeNull();
    const info = await ensureDemoWorld(dir, opts);
    expect(info.generated).toBe(true);
    expect(JSON.parse(await readFile(stampPath, 'utf8')).generatorVersion).toBe(stamp.generatorVersion);
    expect((await readdir(root)).sort()).toEqual(['world']);
  });

  it('fails with a StageError when the location cannot hold a folder', async () => {
    const file = join(root, 'plain-file');
    await writeFile(file, 'x');
    const p = ensureDemoWorld(join(file, 'demo'), opts);
    await expect(p).rejects.toThrow(StageError);
    await expect(ensureDemoWorld(join(file, 'demo'), opts)).rejects.toThrow(/could not create a folder for the demo world next to .*plain-file\/demo.*expected a writable parent folder/);
  });
});
