// Same seed, same GDAL -> same bytes. The full world in data/demo (made by ensureDemoWorld, possibly
// by another process at another time) and a reduced world (one place, one scene) generated here into
// a temporary folder are two independent runs: every item file they share must be byte-identical,
// JSON and rasters alike. This also proves that values are keyed by place/scene/pixel, not by the
// order or the subset of rendering.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoWorld, type DemoWorldInfo } from '../../src/demo/ensure.js';
import { generateWorld, STAMP_FILE } from '../../src/demo/generate.js';

async function checksums(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath ?? e.path, e.name);
    out.set(relative(dir, p), createHash('sha256').update(await readFile(p)).digest('hex'));
  }
  return out;
}

let reduced: string;
let full: DemoWorldInfo;

beforeAll(async () => {
  full = await ensureDemoWorld();
  reduced = await mkdtemp(join(tmpdir(), 'demo-det-'));
  await generateWorld(reduced, { places: ['mafia-coast'], maxScenesPerPlace: 1 });
}, 600_000);
afterAll(async () => {
  await rm(reduced, { recursive: true, force: true });
});

describe('demo world determinism', () => {
  it('a second, independent run writes byte-identical item JSON and rasters', async () => {
    const cr = await checksums(reduced);
    const cf = await checksums(full.dir);
    // <collection>/<item>/<file>: items and their assets (collections list fewer items in the subset).
    const itemFiles = [...cr.keys()].filter((k) => k.split('/').length === 3).sort();
    expect(itemFiles.length).toBe(2 * 15 + 2 * 14 + 3 + 2); // 2 L1C, 2 L2A (+json), 1 S1, 1 WorldCover
    for (const ext of ['B04.tif', 'B10.tif', 'SCL.tif', 'preview.png', 'vv.tif', '_Map.tif', '_L2A.json', '_rtc.json']) {
      expect(itemFiles.some((k) => k.endsWith(ext))).toBe(true);
    }
    const missing = itemFiles.filter((k) => !cf.has(k));
    expect(missing).toEqual([]);
    const differing = itemFiles.filter((k) => cr.get(k) !== cf.get(k));
    expect(differing).toEqual([]);
  });

  it('the stamps differ only in the options and counts of the two worlds', async () => {
    const a = JSON.parse(await readFile(join(reduced, STAMP_FILE), 'utf8'));
    const b = JSON.parse(await readFile(join(full.dir, STAMP_FILE), 'utf8'));
    expect({ ...a, options: null, collections: null, itemCount: null, assetCount: null }).toEqual({ ...b, options: null, collections: null, itemCount: null, assetCount: null });
    expect(a.options).toEqual({ places: ['mafia-coast'], maxScenesPerPlace: 1 });
    expect(a.itemCount).toBe(6);
  });
});
