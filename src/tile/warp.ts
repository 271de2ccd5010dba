// The one place that touches GDAL pixels: open an asset, check it is what the plan expects, warp it
// onto the target grid with GDAL's own gdalwarp (async, in an in-memory MEM dataset) and hand back the
// pixels as a typed array. No temporary files.
import gdal from 'gdal-async';
import type { TypedPixels } from '../model/types.js';
import type { BandSource } from './plan.js';
import type { TargetGrid } from './warp-args.js';
import { TileStepError } from './failure.js';

/** The narrow interface the runner reads pixels through (a fake can stand in for it). */
export interface BandReader {
  read(source: BandSource, grid: TargetGrid): Promise<TypedPixels>;
}

function gdalMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** EPSG code of a dataset's CRS, or undefined when it has none or it cannot be identified. */
function datasetEpsg(ds: gdal.Dataset): number | undefined {
  const srs = ds.srs;
  if (!srs) return undefined;
  let code = srs.getAuthorityCode(null);
  if (!code) {
    const c = srs.clone();
    try {
      c.autoIdentifyEPSG();
      code = c.getAuthorityCode(null);
    } catch {
      return undefined;
    }
  }
  const n = Number(code);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

export async function openSource(source: BandSource): Promise<gdal.Dataset> {
  try {
    // All drivers: a restricted driver list makes GDAL drop its error text ("Error opening dataset").
    // A non-raster claimed by a vector driver fails there ("Missing features") or has 0 bands,
    // which the band-count check reports.
    return await gdal.openAsync(source.gdalPath);
  } catch (e) {
    const msg = gdalMessage(e);
    if (/HTTP response code: 404/.test(msg)) {
      throw new TileStepError(source.href, 'open', `missing asset (HTTP 404); expected a raster at this URL`, e);
    }
    const http = /HTTP response code: (\d+)/.exec(msg);
    if (http) {
      throw new TileStepError(source.href, 'open', `server answered HTTP ${http[1]} (after the retries set by tile.http.max_retry); expected 200 or 206`, e);
    }
    throw new TileStepError(source.href, 'open', `cannot open as a raster (${msg}); expected a readable GeoTIFF/COG`, e);
  }
}

/** Checks band count and CRS against the plan before any pixel is read. */
export function validateSource(ds: gdal.Dataset, source: BandSource): void {
  const bands = ds.bands.count();
  if (bands !== source.expectedBandCount) {
    throw new TileStepError(source.href, 'validate', `unexpected band count: found ${bands}, expected ${source.expectedBandCount}`);
  }
  const gcps = ds.srs ? 0 : ds.getGCPs().length;
  if (!ds.srs && gcps === 0) {
    throw new TileStepError(source.href, 'validate', 'no georeferencing: the file has neither a CRS nor GCPs; expected one of them');
  }
  if (source.expectedEpsg !== undefined && ds.srs) {
    const epsg = datasetEpsg(ds);
    if (epsg !== source.expectedEpsg) {
      throw new TileStepError(
        source.href,
        'validate',
        `unexpected CRS: found ${epsg === undefined ? 'an unidentified CRS' : `EPSG:${epsg}`}, expected EPSG:${source.expectedEpsg} (from the STAC item)`,
      );
    }
  }
}

/** Source pixels a kernel reaches beyond the pixel under a target pixel centre, plus one for safety. */
const KERNEL_RADIUS: Partial<Record<BandSource['resampling'], number>> = { nearest: 1, bilinear: 2, cubic: 3, cubicspline: 3, lanczos: 4 };

/**
 * True when nodata handling cannot change the result, so the warp may run without masks: same CRS
 * as the target, north-up, not downsampling (no overview choice involved), the source window under
 * the target grown by the kernel radius lies inside the raster and holds no nodata pixel (checked by
 * reading it; the warp then finds those blocks in GDAL's cache). Then no target pixel can be nodata,
 * and GDAL's unmasked kernels run instead of its general masked one: measured on a 1068 px target,
 * bilinear 27 vs 50 ms, cubic 35 vs 86 ms, nearest 16 vs 23 ms CPU per band. Nearest and cubic give
 * identical pixels; bilinear rounds differently in a few pixels (at most 1 DN, 64 of 1.1 M), inside
 * the parity tolerance with gdalwarp.
 */
export async function nodataFreeWindow(ds: gdal.Dataset, source: BandSource, grid: TargetGrid): Promise<boolean> {
  const radius = KERNEL_RADIUS[source.resampling];
  const gt = ds.geoTransform;
  if (radius === undefined || !gt || gt[2] !== 0 || gt[4] !== 0 || gt[5] >= 0) return false;
  if (grid.resolution > gt[1] * (1 + 1e-9) || datasetEpsg(ds) !== grid.epsg) return false;
  const [minx, miny, maxx, maxy] = grid.extent;
  const x0 = Math.floor((minx - gt[0]) / gt[1]) - radius;
  const x1 = Math.ceil((maxx - gt[0]) / gt[1]) + radius;
  const y0 = Math.floor((maxy - gt[3]) / gt[5]) - radius;
  const y1 = Math.ceil((miny - gt[3]) / gt[5]) + radius;
  const { x: w, y: h } = ds.rasterSize;
  if (x0 < 0 || y0 < 0 || x1 > w || y1 > h) return false;
  const px = (await ds.bands.get(1).pixels.readAsync(x0, y0, x1 - x0, y1 - y0)) as TypedPixels;
  const nd = source.srcNodata;
  if (Number.isNaN(nd)) {
    for (let i = 0; i < px.length; i++) if (px[i] !== px[i]) return false;
  } else {
    for (let i = 0; i < px.length; i++) if (px[i] === nd) return false;
  }
  return true;
}

/** The plan's arguments with source and destination nodata switched off (`None`). */
export function withoutMasks(args: string[]): string[] {
  const out = [...args];
  for (const flag of ['-srcnodata', '-dstnodata']) {
    const i = out.indexOf(flag);
    if (i < 0) out.push(flag, 'None');
    else out[i + 1] = 'None';
  }
  return out;
}

/** Warps an open dataset with the plan's gdalwarp arguments into memory and reads band 1. */
export async function warpToArray(ds: gdal.Dataset, source: BandSource, grid: TargetGrid): Promise<TypedPixels> {
  let out: gdal.Dataset;
  try {
    const args = (await nodataFreeWindow(ds, source, grid)) ? withoutMasks(source.warpArgs) : source.warpArgs;
    // The MEM driver ignores the name; it only has to be non-empty for gdal-async.
    out = await gdal.warpAsync('tile', null, [ds], args);
  } catch (e) {
    throw new TileStepError(source.href, 'warp', `warp failed: ${gdalMessage(e)} (corrupt or truncated file?)`, e);
  }
  try {
    const { x, y } = out.rasterSize;
    if (x !== grid.width || y !== grid.height) {
      throw new TileStepError(source.href, 'warp', `warp produced ${x} x ${y} px; expected ${grid.width} x ${grid.height}`);
    }
    return (await out.bands.get(1).pixels.readAsync(0, 0, x, y)) as TypedPixels;
  } catch (e) {
    if (e instanceof TileStepError) throw e;
    throw new TileStepError(source.href, 'read', `reading warped pixels failed: ${gdalMessage(e)}`, e);
  } finally {
    out.close();
  }
}

/** The GDAL-backed reader: open, validate, warp, read, close. */
export const gdalBandReader: BandReader = {
  async read(source, grid) {
    const ds = await openSource(source);
    try {
      validateSource(ds, source);
      return await warpToArray(ds, source, grid);
    } finally {
      ds.close();
    }
  },
};
