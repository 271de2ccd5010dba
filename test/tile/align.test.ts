// Co-registration on real BigEarthNet S1/S2 patch pairs (same CRS and origin by construction): after
// warping both onto one shifted target grid they must still cover exactly the same pixels.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import { normalise, S2_L2A_BANDS } from '../../src/config/sections/tile.js';
import { planTiles, type TileSourceInput } from '../../src/tile/plan.js';
import { runTiles } from '../../src/tile/run-tiles.js';
import type { TileRecord, TypedPixels } from '../../src/model/types.js';
import { BEN, bandOf, cell, scene } from './helpers.js';

interface Pair {
  key: string;
  s1Dir: string;
  s2Dir: string;
  epsg: number;
  originX: number;
  originY: number;
}

/** The six real pairs, matched by the patch suffix (e.g. `_87_48`) both directory names end with. */
function pairs(): Pair[] {
  const s1Root = path.join(BEN, 'BigEarthNet-S1-Example');
  const s2Root = path.join(BEN, 'BigEarthNet-S2-Example');
  const s2 = readdirSync(s2Root);
  return readdirSync(s1Root)
    .sort()
    .map((d) => {
      const suffix = /_(\d+_\d+)$/.exec(d)![1];
      const s2d = s2.find((x) => x.endsWith(`_${suffix}`))!;
      const ds = gdal.open(path.join(s1Root, d, `${d}_VV.tif`));
      const gt = ds.geoTransform!;
      const epsg = Number(ds.srs!.getAuthorityCode(null));
      ds.close();
      return { key: d, s1Dir: path.join(s1Root, d), s2Dir: path.join(s2Root, s2d), epsg, originX: gt[0], originY: gt[3] };
    });
}

function validBox(a: TypedPixels, w: number, nodata: number): { minCol: number; maxCol: number; minRow: number; maxRow: number; count: number } {
  let minCol = Infinity, maxCol = -1, minRow = Infinity, maxRow = -1, count = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (Number.isNaN(nodata) ? Number.isNaN(v) : v === nodata) continue;
    const r = Math.floor(i / w), c = i % w;
    count++;
    minCol = Math.min(minCol, c); maxCol = Math.max(maxCol, c);
    minRow = Math.min(minRow, r); maxRow = Math.max(maxRow, r);
  }
  return { minCol, maxCol, minRow, maxRow, count };
}

describe('S1/S2 alignment on real co-registered BigEarthNet pairs', () => {
  const all = pairs();
  it('finds the six pairs', () => {
    expect(all).toHaveLength(6);
  });

  it('S1 (VV, VH) and all 12 L2A bands warped onto a shifted 10 m grid share footprint, nodata and edges', async () => {
    // Shift the target 300 m east and 200 m south of the patch origin; 128 px overruns the 120 px
    // patch on the east and south, so both modalities must end at the same column and row.
    const size = 128;
    const inputs: TileSourceInput[] = all.map((p) => {
      const s1Name = path.basename(p.s1Dir);
      const s2Name = path.basename(p.s2Dir);
      return {
        cell: cell(p.key, p.epsg, p.originX + 300, p.originY - 200, 10, size),
        scenes: {
          s1: [scene(s1Name, { VV: path.join(p.s1Dir, `${s1Name}_VV.tif`), VH: path.join(p.s1Dir, `${s1Name}_VH.tif`) }, { epsg: p.epsg })],
          s2_l2a: [scene(s2Name, Object.fromEntries(S2_L2A_BANDS.map((b) => [b, path.join(p.s2Dir, `${s2Name}_${b}.tif`)])), { epsg: p.epsg })],
        },
      };
    });
    const cfg = normalise({ concurrency: 2 });
    const recs: TileRecord[] = [];
    for await (const r of runTiles(planTiles(inputs, cfg), { config: cfg })) {
      expect('stage' in r, JSON.stringify('stage' in r ? r : '')).toBe(false);
      recs.push(r as TileRecord);
    }
    expect(recs.map((r) => r.tileId)).toEqual(all.map((p) => p.key).sort());
    const px = size * size;
    for (const rec of recs) {
      const s1 = rec.modalities.s1!;
      const s2 = rec.modalities.s2_l2a!;
      expect(s2.bands).toEqual([...S2_L2A_BANDS]);
      expect(s2.shape).toEqual([12, size, size]);
      const expected = { minCol: 0, maxCol: 89, minRow: 0, maxRow: 99, count: 90 * 100 };
      for (let b = 0; b < 2; b++) expect(validBox(bandOf(s1.data, b, px), size, Number.NaN), `${rec.tileId} ${s1.bands[b]}`).toEqual(expected);
      for (let b = 0; b < 12; b++) expect(validBox(bandOf(s2.data, b, px), size, 0), `${rec.tileId} ${s2.bands[b]}`).toEqual(expected);
      expect(s1.nodataFraction).toBeCloseTo(1 - 9000 / px, 10);
      expect(s2.nodataFraction).toBeCloseTo(1 - 9000 / px, 10);
      // Whole-pixel shift at native 10 m: values are copied, not blended, so pixel (r, c) is source (r+20, c+30).
      const pair = all.find((p) => p.key === rec.tileId)!;
      const s1Name = path.basename(pair.s1Dir);
      const src = gdal.open(path.join(pair.s1Dir, `${s1Name}_VV.tif`));
      const srcVv = src.bands.get(1).pixels.read(0, 0, 120, 120) as Float32Array;
      src.close();
      const vv = bandOf(s1.data, 0, px);
      for (const [r, c] of [[0, 0], [50, 45], [99, 89]]) expect(vv[r * size + c]).toBe(srcVv[(r + 20) * 120 + (c + 30)]);
    }
  });
});
