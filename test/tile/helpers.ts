// Shared fixtures for the tile tests: real rasters from data/fixtures, cells and scenes built by hand,
// and an independent run of the gdalwarp command line to compare against.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import type { GridCell, SceneItem, TypedPixels } from '../../src/model/types.js';
import { realFixture } from '../support/fixtures.js';

const run = promisify(execFile);
export const REAL = realFixture('raster');
export const S2_DIR = path.join(REAL, 's2_l2a_29RKH_20200219');
export const S1_GRD = path.join(REAL, 's1_grd_iw_20180716_india');
export const WORLDCOVER = path.join(REAL, 'esa_worldcover_N00E006/ESA_WorldCover_10m_2021_v200_N00E006_Map.tif');
export const BEN = path.join(REAL, 'coreg_bigearthnet');

export function cell(id: string, epsg: number, minx: number, maxy: number, resolution: number, sizePx: number): GridCell {
  return {
    id,
    row: 0,
    col: 0,
    lon: 0,
    lat: 0,
    epsg,
    extent: [minx, maxy - sizePx * resolution, minx + sizePx * resolution, maxy],
    resolution,
    sizePx,
  };
}

export function scene(id: string, assets: Record<string, string>, extra: Partial<SceneItem> = {}): SceneItem {
  return {
    id,
    collection: 'test',
    sceneKey: id,
    datetime: '2020-02-19T11:34:25Z',
    bbox: [0, 0, 0, 0],
    geometry: null,
    assets: Object.fromEntries(Object.entries(assets).map(([k, href]) => [k, { href }])),
    ...extra,
  };
}

export async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'terrafm-tile-'));
}

/** Runs the real gdalwarp command line and returns band 1 of its GeoTIFF output with its geotransform. */
export async function gdalwarpCli(src: string, args: string[], dir: string, name: string): Promise<{ data: TypedPixels; gt: number[]; w: number; h: number }> {
  const out = path.join(dir, `${name}.tif`);
  await run('gdalwarp', ['-q', '-overwrite', '-of', 'GTiff', ...args, src, out]);
  const ds = gdal.open(out);
  const { x, y } = ds.rasterSize;
  const data = ds.bands.get(1).pixels.read(0, 0, x, y) as TypedPixels;
  const gt = ds.geoTransform!;
  ds.close();
  return { data, gt, w: x, h: y };
}

export async function gdalTranslate(args: string[]): Promise<void> {
  await run('gdal_translate', ['-q', ...args]);
}

/** Largest absolute difference, and pixels where exactly one side is nodata. */
export function compare(a: TypedPixels, b: TypedPixels, nodata: number): { maxDiff: number; maskMismatch: number; valid: number } {
  let maxDiff = 0;
  let maskMismatch = 0;
  let valid = 0;
  const isNd = (v: number) => (Number.isNaN(nodata) ? Number.isNaN(v) : v === nodata);
  for (let i = 0; i < a.length; i++) {
    const na = isNd(a[i]);
    const nb = isNd(b[i]);
    if (na !== nb) maskMismatch++;
    else if (!na) {
      valid++;
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    }
  }
  return { maxDiff, maskMismatch, valid };
}

export function bandOf(data: TypedPixels, b: number, pixels: number): TypedPixels {
  return data.subarray(b * pixels, (b + 1) * pixels);
}
