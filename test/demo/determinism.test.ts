// Same seed, same GDAL -> same bytes. A reduced world (one place, one scene) is generated twice into
// two temporary folders and compared file by file; its items must also equal the same items of the
// full world in data/demo, since every value is keyed by place/scene/pixel, not by render order.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoWorld, type DemoWorldInfo } from '../../src/demo/ensure.js';
import { generateWorld } from '../../src/demo/generate.js';

async function checksums(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath ?? e.path, e.name);
    out.set(relative(dir, p), createHash('sha256').update(await readFile(p)).digest('hex'));
  }
  return out;
}

let a: string;
let b: string;
let full: DemoWorldInfo;
const opts = { places: ['radolfzell' as const], maxScenesPerPlace: 1 };

beforeAll(async () => {
  full = await ensureDemoWorld();
  a = await mkdtemp(join(tmpdir(), 'demo-det-a-'));
  b = await mkdtemp(join(tmpdir(), 'demo-det-b-'));
  // One after the other: the second run must not depend on state left by the first.
  await generateWorld(a, opts);
  await generateWorld(b, opts);
});
afterAll(async () => {
  await rm(a, { recursive: true, force: true });
  await rm(b, { recursive: true, force: true });
});

describe('demo world determinism', () => {
  it('two runs write byte-identical files (JSON and rasters)', async () => {
    const ca = await checksums(a);
    const cb = await checksums(b);
    expect([...ca.keys()].sort()).toEqual([...cb.keys()].sort());
    expect(ca.size).toBeGreaterThan(40);
    expect([...ca.keys()].some((k) => k.endsWith('B04.tif'))).toBe(true);
    expect([...ca.keys()].some((k) => k.endsWith('vv.tif'))).toBe(true);
    const differing = [...ca.keys()].filter((k) => ca.get(k) !== cb.get(k));
    expect(differing).toEqual([]);
  });

  it('the reduced world equals the same items of the full world', async () => {
    const ca = await checksums(a);
    const cf = await checksums(full.dir);
    // Items and their assets (not the collection/catalog documents, which list fewer items here).
    const itemFiles = [...ca.keys()].filter((k) => k.split('/').length === 3);
    expect(itemFiles.length).toBeGreaterThan(40);
    const differing = itemFiles.filter((k) => ca.get(k) !== cf.get(k));
    expect(differing).toEqual([]);
  });
});
