// Deterministic synthetic tiles with the real layout (12 L2A + 12/13 L1C uint16 bands, 2 S1 float32 bands,
// uint8 WorldCover), for tests, benchmarks and demos of the shard format. Pixel values follow smooth
// gradients plus noise, so compression ratios resemble imagery rather than constant or random data.
import { type TileRecord } from '../model/types.js';

import { WORLDCOVER_CLASSES, classHistogram } from '../landcover/worldcover.js';

export const SYNTH_L2A_BANDS = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B11', 'B12'];
export const SYNTH_L1C_BANDS = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12'];

export interface SyntheticOptions {
  /** Tile side in pixels. Default 64. */
  size?: number;
  /** L1C bands: 13 (with B10) or 12. Default 13. */
  l1cBands?: 12 | 13;
  /** Leave out these modalities (to exercise null columns). */
  omit?: ('s2_l2a' | 's2_l1c' | 's1')[];
  /** Id prefix; ids are `${prefix}${i}` zero-padded. Default 'T'. */
  prefix?: string;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function s2(bands: number, size: number, i: number, r: () => number): Uint16Array {
  const a = new Uint16Array(bands * size * size);
  for (let b = 0; b < bands; b++) {
    const base = 300 + 150 * b + 37 * (i % 11);
    for (let y = 0; y < size; y++) {
      const row = b * size * size + y * size;
      for (let x = 0; x < size; x++) a[row + x] = base + ((x * (3 + b) + y * 5 + i * 7) & 511) + ((r() * 64) | 0);
    }
  }
  // a nodata (0) strip on the left edge of some tiles, like a swath border
  if (i % 3 === 0) for (let b = 0; b < bands; b++) for (let y = 0; y < size; y++) a[b * size * size + y * size] = 0;
  return a;
}

/** The i-th synthetic tile (same i, same options: identical tile). */
export function syntheticTile(i: number, opts: SyntheticOptions = {}): TileRecord {
  const size = opts.size ?? 64;
  const r = rng(0x9e3779b9 ^ Math.imul(i + 1, 2654435761));
  const px = size * size;
  const cellRow = 100 + (i % 50);
  const cellCol = 200 + Math.floor(i / 50);
  const cellId = `${cellRow}U_${cellCol}R`;
  const tileId = `${opts.prefix ?? 'T'}${String(i).padStart(6, '0')}`;
  const x0 = 500000 + (i % 50) * size * 10;
  const y0 = 5000000 + Math.floor(i / 50) * size * 10;
  const lon0 = 9 + (i % 50) * 0.01;
  const lat0 = 45 + Math.floor(i / 50) * 0.01;
  const lc = new Uint8Array(px);
  const classes = WORLDCOVER_CLASSES.slice(1);
  for (let k = 0; k < px; k++) lc[k] = classes[(((k / size) | 0) >> 4) % 3 === 0 ? (i + (k % size >> 4)) % 5 : (i * 3) % classes.length];
  if (i % 4 === 1) lc.fill(0, 0, size); // a nodata row
  const s1 = new Float32Array(2 * px);
  for (let k = 0; k < s1.length; k++) s1[k] = 0.02 + 0.2 * r() * (k < px ? 1 : 0.3);
  if (i % 5 === 2) s1.fill(NaN, 0, size); // NaN nodata in VV's first row
  const l1cBands = opts.l1cBands === 12 ? SYNTH_L1C_BANDS.filter((b) => b !== 'B10') : SYNTH_L1C_BANDS;
  const tile: TileRecord = {
    tileId,
    cellId,
    epsg: 32632,
    geotransform: [x0, 10, 0, y0, 0, -10],
    width: size,
    height: size,
    modalities: {
      s2_l2a: { dtype: 'uint16', bands: SYNTH_L2A_BANDS, shape: [12, size, size], data: s2(12, size, i, r), nodata: 0, datetime: `2021-06-${String(1 + (i % 28)).padStart(2, '0')}T10:20:31Z`, itemIds: [`S2A_L2A_${i}`], hrefs: [`https://example.invalid/l2a/${i}.tif`], nodataFraction: i % 3 === 0 ? 1 / size : 0 },
      s2_l1c: { dtype: 'uint16', bands: l1cBands, shape: [l1cBands.length, size, size], data: s2(l1cBands.length, size, i + 1, r), nodata: 0, datetime: `2021-06-${String(1 + (i % 28)).padStart(2, '0')}T10:20:31Z`, itemIds: [`S2A_L1C_${i}`], hrefs: [`https://example.invalid/l1c/${i}.tif`], nodataFraction: (i + 1) % 3 === 0 ? 1 / size : 0 },
      s1: { dtype: 'float32', bands: ['VV', 'VH'], shape: [2, size, size], data: s1, nodata: NaN, datetime: `2021-06-${String(2 + (i % 27)).padStart(2, '0')}T05:40:00Z`, itemIds: [`S1A_IW_GRDH_${i}`, `S1A_IW_GRDH_${i}b`], hrefs: [`https://example.invalid/s1/${i}/vv.tif`, `https://example.invalid/s1/${i}/vh.tif`], nodataFraction: 0 },
    },
    landcover: lc,
    classHistogram: [],
    cloudFraction: i % 7 === 0 ? null : (i % 10) / 20,
    sampleWeight: 1 + (i % 4) * 0.25,
    footprint: [[lon0, lat0], [lon0 + 0.009, lat0], [lon0 + 0.009, lat0 + 0.009], [lon0, lat0 + 0.009], [lon0, lat0]],
  };
  for (const m of opts.omit ?? []) delete tile.modalities[m];
  tile.classHistogram = classHistogram(lc);
  return tile;
}
