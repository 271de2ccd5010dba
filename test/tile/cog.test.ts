// `terrafm tile --cog`: inspectable COGs per tile, one per modality plus land cover.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import gdal from 'gdal-async';
import { normalise } from '../../src/config/sections/tile.js';
import { planTiles } from '../../src/tile/plan.js';
import { runTiles } from '../../src/tile/run-tiles.js';
import { writeTileCogs } from '../../src/tile/cog.js';
import type { TileRecord } from '../../src/model/types.js';
import { S1_GRD, S2_DIR, bandOf, cell, scene, tempDir } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tile(inputs: Parameters<typeof planTiles>[0], cfg: ReturnType<typeof normalise>): Promise<TileRecord> {
  const out = [];
  for await (const r of runTiles(planTiles(inputs, cfg), { config: cfg })) out.push(r);
  expect('stage' in out[0], JSON.stringify(out[0])).toBe(false);
  return out[0] as TileRecord;
}

describe('COG writer', () => {
  it('writes one COG per modality and land cover with the tile grid, nodata and pixels', async () => {
    const cfg = normalise({ bands: { s2_l2a: ['B02', 'B04'] } });
    const rec = await tile(
      [{ cell: cell('29RKH_T', 32629, 250000, 2760000, 100, 64), scenes: { s2_l2a: [scene('s2', { B02: path.join(S2_DIR, 'B02.tif'), B04: path.join(S2_DIR, 'B04.tif') })] } }],
      cfg,
    );
    const files = await writeTileCogs(rec, dir);
    expect(files).toEqual([path.join(dir, '29RKH_T', 's2_l2a.tif'), path.join(dir, '29RKH_T', 'landcover.tif')]);
    const ds = gdal.open(files[0]);
    expect(ds.driver.description).toBe('GTiff');
    expect(ds.getMetadata('IMAGE_STRUCTURE').LAYOUT).toBe('COG');
    expect(ds.geoTransform).toEqual(rec.geotransform);
    expect(ds.srs!.getAuthorityCode(null)).toBe('32629');
    expect(ds.bands.count()).toBe(2);
    expect(ds.getMetadata().BANDS).toBe('B02,B04');
    expect(ds.bands.get(2).noDataValue).toBe(0);
    const b4 = ds.bands.get(2).pixels.read(0, 0, 64, 64);
    expect([...b4]).toEqual([...bandOf(rec.modalities.s2_l2a!.data, 1, 64 * 64)]);
    ds.close();
    const lc = gdal.open(files[1]);
    expect(lc.bands.get(1).dataType).toBe('Byte');
    lc.close();
  });

  it('float S1 keeps NaN nodata in the COG', async () => {
    const cfg = normalise({});
    const rec = await tile(
      [{ cell: cell('S1_T', 32643, 571200, 1160800, 400, 64), scenes: { s1: [scene('s1', { VV: path.join(S1_GRD, 'iw-vv.tiff'), VH: path.join(S1_GRD, 'iw-vh.tiff') })] } }],
      cfg,
    );
    const [f] = await writeTileCogs(rec, dir);
    const ds = gdal.open(f);
    expect(ds.bands.get(1).dataType).toBe('Float32');
    expect(Number.isNaN(ds.bands.get(1).noDataValue)).toBe(true);
    // Straddles the swath's west edge: NaN outside, values inside.
    expect(rec.modalities.s1!.nodataFraction).toBeGreaterThan(0);
    expect(rec.modalities.s1!.nodataFraction).toBeLessThan(1);
    const vv = ds.bands.get(1).pixels.read(0, 0, 64, 64) as Float32Array;
    const want = bandOf(rec.modalities.s1!.data, 0, 64 * 64);
    for (let i = 0; i < vv.length; i++) expect(Object.is(vv[i], want[i]) || vv[i] === want[i]).toBe(true);
    ds.close();
  });
});
