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
    // A non-raster that opens anyway (JSON read as GeoJSON) is caught by the band-count check.
    return await gdal.openAsync(source.gdalPath);
  } catch (e) {
    const msg = gdalMessage(e);
    if (/HTTP response code: 404/.test(msg)) {
      throw new TileStepError(source.href, 'open', `missing asset (HTTP 404); expected a raster at this URL`, e);
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

/** Warps an open dataset with the plan's gdalwarp arguments into memory and reads band 1. */
export async function warpToArray(ds: gdal.Dataset, source: BandSource, grid: TargetGrid): Promise<TypedPixels> {
  let out: gdal.Dataset;
  try {
    // The MEM driver ignores the name; it only has to be non-empty for gdal-async.
    out = await gdal.warpAsync('tile', null, [ds], source.warpArgs);
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
