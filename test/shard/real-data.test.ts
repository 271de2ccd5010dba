// Real pixels: Sentinel-2 L2A bands of tile 29RKH and an ESA WorldCover window (data/fixtures/real) go through
// the writer; the per-band statistics must equal GDAL's own statistics of the same windows, and the
// corpus must validate.
import { resolve } from 'node:path';
import gdal from 'gdal-async';
import { afterAll, describe, expect, it } from 'vitest';
import { type TileRecord } from '../../src/model/types.js';
import { bandMoments } from '../../src/shard/stats.js';
import { validateCorpus } from '../../src/shard/validate.js';
import { openCorpus } from '../../src/shard/reader.js';
import { cleanupTempDirs, tempDir, writeCorpus } from './helpers.js';
import { realFixture } from '../support/fixtures.js';
import { classBin, classHistogram } from '../../src/landcover/worldcover.js';

const real = realFixture('raster');
const s2Dir = `${real}/s2_l2a_29RKH_20200219`;
const wc = `${real}/esa_worldcover_N00E006/ESA_WorldCover_10m_2021_v200_N00E006_Map.tif`;
const BANDS = ['B02', 'B03', 'B04', 'B08'];
const SIZE = 128;
const WINDOWS = [[300, 300], [700, 500]];

afterAll(() => cleanupTempDirs());

function readWindow(path: string, x: number, y: number): Uint16Array | Uint8Array {
  const ds = gdal.open(path);
  try {
    return ds.bands.get(1).pixels.read(x, y, SIZE, SIZE) as Uint16Array | Uint8Array;
  } finally {
    ds.close();
  }
}

/** GDAL's exact statistics (nodata excluded) of a window, from a MEM copy. */
function gdalStats(path: string, x: number, y: number): { min: number; max: number; mean: number; std_dev: number } {
  const src = gdal.open(path);
  const mem = gdal.translate('', src, ['-of', 'MEM', '-srcwin', String(x), String(y), String(SIZE), String(SIZE)]);
  try {
    return mem.bands.get(1).computeStatistics(false);
  } finally {
    mem.close();
    src.close();
  }
}

function realTile(k: number): TileRecord {
  const [x, y] = WINDOWS[k];
  const s2 = new Uint16Array(BANDS.length * SIZE * SIZE);
  BANDS.forEach((b, i) => s2.set(readWindow(`${s2Dir}/${b}.tif`, x, y) as Uint16Array, i * SIZE * SIZE));
  // a land-cover window from Sao Tome (the real map is elsewhere; here it only exercises real class codes)
  const lc = readWindow(wc, 6900 + 200 * k, 32300) as Uint8Array;
  return {
    tileId: `29RKH_${k}`,
    cellId: `29RKH_${k}`,
    epsg: 32629,
    geotransform: [199980 + x * 100, 100, 0, 3000000 - y * 100, 0, -100],
    width: SIZE,
    height: SIZE,
    modalities: {
      s2_l2a: { dtype: 'uint16', bands: BANDS, shape: [BANDS.length, SIZE, SIZE], data: s2, nodata: 0, datetime: '2020-02-19T11:18:40Z', itemIds: ['S2A_29RKH_20200219_0_L2A'], hrefs: BANDS.map((b) => `${s2Dir}/${b}.tif`), nodataFraction: 0 },
    },
    landcover: lc,
    classHistogram: classHistogram(lc),
    cloudFraction: null,
    sampleWeight: 1,
    footprint: [[-10.1, 27.0], [-9.9, 27.0], [-9.9, 27.2], [-10.1, 27.2], [-10.1, 27.0]],
  };
}

describe('real Sentinel-2 and WorldCover pixels', () => {
  it('give band statistics equal to GDAL and a corpus that validates', async () => {
    const dir = tempDir('real');
    const tiles = [0, 1].map(realTile);
    await writeCorpus(dir, tiles);
    expect((await validateCorpus(dir)).problems).toEqual([]);
    const c = openCorpus(dir);
    for (const [k, [x, y]] of WINDOWS.entries()) {
      // per-window statistics: a one-tile corpus of each window
      const one = tempDir(`real-${k}`);
      await writeCorpus(one, [tiles[k]]);
      const stats = openCorpus(one).stats.modalities.s2_l2a!;
      BANDS.forEach((b, i) => {
        const g = gdalStats(`${s2Dir}/${b}.tif`, x, y);
        const ours = stats.perBand[i];
        const { mean, std } = bandMoments(ours);
        expect(ours.min, `${b} min`).toBe(g.min);
        expect(ours.max, `${b} max`).toBe(g.max);
        expect(Math.abs(mean - g.mean) / g.mean, `${b} mean`).toBeLessThan(1e-9);
        expect(Math.abs(std - g.std_dev) / g.std_dev, `${b} std`).toBeLessThan(1e-6);
      });
    }
    // class counts: every pixel lands in its WorldCover bin
    const expected = new Array(12).fill(0);
    for (const t of tiles) for (const v of t.landcover) expected[classBin(v)]++;
    expect(c.stats.classPixelCounts).toEqual(expected);
    expect(expected.filter((n) => n > 0).length).toBeGreaterThan(1);
  });
});
