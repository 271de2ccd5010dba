// Several scenes covering one cell (a target crossing a source boundary), baseline harmonisation and
// the SCL cloud fraction, on the real 29RKH rasters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { normalise } from '../../src/config/sections/tile.js';
import { planTiles } from '../../src/tile/plan.js';
import { runTiles } from '../../src/tile/run-tiles.js';
import type { TileRecord } from '../../src/model/types.js';
import { S2_DIR, cell, gdalTranslate, gdalwarpCli, scene, tempDir } from './helpers.js';

let dir: string;
let west: string;
let east: string;
beforeAll(async () => {
  dir = await tempDir();
  // Two overlapping "scenes" cut from the real tile: west = B04 columns 0-619, east = B03 columns
  // 580-1097 (a different band so the test can tell which scene each pixel came from).
  west = path.join(dir, 'west_B04.tif');
  east = path.join(dir, 'east_B03.tif');
  await gdalTranslate(['-srcwin', '0', '0', '620', '1098', path.join(S2_DIR, 'B04.tif'), west]);
  await gdalTranslate(['-srcwin', '580', '0', '518', '1098', path.join(S2_DIR, 'B03.tif'), east]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function one(inputs: Parameters<typeof planTiles>[0], cfg: ReturnType<typeof normalise>): Promise<TileRecord> {
  const out = [];
  for await (const r of runTiles(planTiles(inputs, cfg), { config: cfg })) out.push(r);
  expect(out).toHaveLength(1);
  expect('stage' in out[0], JSON.stringify(out[0])).toBe(false);
  return out[0] as TileRecord;
}

// Source origin is (199980, 2800020) at 100 m; our grids snap to multiples of the resolution, so the
// target (128 px at 100 m from x = 254000) is 20 m off the source pixels and starts in source column 540,
// spanning columns 540-668, crossing the west scene's east edge (620) and the east scene's west edge (580).
const target = cell('MOSAIC', 32629, 199980 + 540 * 100 + 20, 2800020 - 300 * 100 - 20, 100, 128);
const cliArgs = ['-t_srs', 'EPSG:32629', '-te', ...target.extent.map(String), '-tr', '100', '100', '-r', 'bilinear'];

describe('mosaic of scenes crossing a source boundary', () => {
  it('fills the target from both scenes, first valid pixel wins, in the given order', async () => {
    const cfg = normalise({ bands: { s2_l2a: ['B04'] }, harmonize_offset: false });
    const a = scene('west', { B04: west }, { datetime: '2020-02-19T00:00:00Z' });
    const b = scene('east', { B04: east }, { datetime: '2020-02-20T00:00:00Z' });
    const refW = await gdalwarpCli(west, cliArgs, dir, 'ref_w');
    const refE = await gdalwarpCli(east, cliArgs, dir, 'ref_e');
    for (const [order, first, second] of [['west first', refW, refE], ['east first', refE, refW]] as const) {
      const scenes = order === 'west first' ? [a, b] : [b, a];
      const rec = await one([{ cell: target, scenes: { s2_l2a: scenes } }], cfg);
      const t = rec.modalities.s2_l2a!;
      let fromFirst = 0;
      let fromSecond = 0;
      for (let i = 0; i < t.data.length; i++) {
        const expected = first.data[i] !== 0 ? first.data[i] : second.data[i];
        expect(t.data[i]).toBe(expected);
        if (first.data[i] !== 0) fromFirst++;
        else if (second.data[i] !== 0) fromSecond++;
      }
      // West scene covers target columns ~0-79, east scene ~40-127: both contribute in either order.
      expect(fromFirst).toBeGreaterThan(0);
      expect(fromSecond).toBeGreaterThan(0);
      expect(fromFirst + fromSecond).toBe(128 * 128);
      expect(t.nodataFraction).toBe(0);
      expect(t.itemIds).toEqual(scenes.map((s) => s.id));
      expect(t.datetime).toBe(scenes[0].datetime);
      expect(t.hrefs).toEqual(scenes.map((s) => s.assets.B04.href));
    }
  });

  it('reads no further scene once the first one fills the tile', async () => {
    const cfg = normalise({ bands: { s2_l2a: ['B04'] }, harmonize_offset: false });
    // Fully inside the west scene: the second scene points to a file that does not exist and must not be opened.
    const inside = cell('INSIDE', 32629, 210000, 2790000, 100, 64);
    const rec = await one([{ cell: inside, scenes: { s2_l2a: [scene('west', { B04: west }), scene('ghost', { B04: path.join(dir, 'missing.tif') })] } }], cfg);
    expect(rec.modalities.s2_l2a!.itemIds).toEqual(['west']);
  });
});

describe('processing baseline harmonisation and SCL cloud fraction', () => {
  const bands = { B04: path.join(S2_DIR, 'B04.tif'), SCL: path.join(S2_DIR, 'SCL.tif') };
  const c = cell('HARM', 32629, 250000, 2760000, 100, 128);

  it('subtracts 1000 DN for baseline >= 04.00 only, clamps to 1 and keeps nodata', async () => {
    const cfg = normalise({ bands: { s2_l2a: ['B04'] } });
    const old = await one([{ cell: c, scenes: { s2_l2a: [scene('old', bands, { processingBaseline: '02.14' })] } }], cfg);
    const neu = await one([{ cell: c, scenes: { s2_l2a: [scene('new', bands, { processingBaseline: '04.00' })] } }], cfg);
    const off = await one([{ cell: c, scenes: { s2_l2a: [scene('new', bands, { processingBaseline: '04.00' })] } }], normalise({ bands: { s2_l2a: ['B04'] }, harmonize_offset: false }));
    const o = old.modalities.s2_l2a!.data;
    const n = neu.modalities.s2_l2a!.data;
    expect(off.modalities.s2_l2a!.data).toEqual(o);
    for (let i = 0; i < o.length; i++) {
      if (o[i] === 0) expect(n[i]).toBe(0);
      else expect(n[i]).toBe(Math.max(o[i] - 1000, 1));
    }
    expect(o.some((v) => v > 1000)).toBe(true);
  });

  it('cloud fraction comes from the SCL layer (classes 3, 8, 9, 10 over SCL != 0), matching a direct count', async () => {
    // The scene's eo:cloud_cover is 4.05 %, mostly thin cirrus (class 10); find it in the SCL pixels.
    const big = cell('SCL', 32629, 200000, 2800000, 200, 549);
    const cfg = normalise({ bands: { s2_l2a: ['B04'] } });
    const rec = await one([{ cell: big, scenes: { s2_l2a: [scene('s', bands)] } }], cfg);
    const ref = await gdalwarpCli(path.join(S2_DIR, 'SCL.tif'), ['-t_srs', 'EPSG:32629', '-te', ...big.extent.map(String), '-tr', '200', '200', '-r', 'nearest'], dir, 'scl');
    let valid = 0;
    let cloud = 0;
    for (const v of ref.data) {
      if (v === 0) continue;
      valid++;
      if (v === 3 || v === 8 || v === 9 || v === 10) cloud++;
    }
    expect(cloud).toBeGreaterThan(0);
    expect(rec.cloudFraction).toBeCloseTo(cloud / valid, 12);
    // Same as the item's metadata within a point or two (different counting, downsampled SCL).
    expect(rec.cloudFraction!).toBeGreaterThan(0.01);
    expect(rec.cloudFraction!).toBeLessThan(0.08);
    // Without SCL there is no cloud fraction.
    const noScl = await one([{ cell: c, scenes: { s2_l2a: [scene('s', { B04: bands.B04 })] } }], cfg);
    expect(noScl.cloudFraction).toBeNull();
  });
});
