// The one place where the demo generator touches GDAL: typed array in, Cloud-Optimized GeoTIFF (or
// PNG preview) out. A MEM dataset is filled and handed to the COG driver's CreateCopy, which writes
// the tiled, compressed layout with internal overviews that real Sentinel/WorldCover COGs have.

import gdal from 'gdal-async';
import { RasterError } from '../errors.js';
import type { PixelGrid } from './plan.js';

export type DemoDataType = 'uint8' | 'uint16' | 'float32';

const GDAL_TYPES: Record<DemoDataType, string> = {
  uint8: gdal.GDT_Byte,
  uint16: gdal.GDT_UInt16,
  float32: gdal.GDT_Float32,
};

/** Compression of every demo COG (see docs/decisions.md "Demo world COG compression"). */
export const DEMO_COG_COMPRESS = 'DEFLATE';
export const DEMO_COG_LEVEL = 1;
/** Internal tile size: small rasters still get several tiles and at least one overview level. */
export const DEMO_COG_BLOCKSIZE = 256;

/** Overview levels the demo COGs carry: halve until the larger side fits one block, at least one level. */
export function overviewCount(width: number, height: number, block = DEMO_COG_BLOCKSIZE): number {
  let n = 0;
  let s = Math.max(width, height);
  while (s > block) {
    s = Math.ceil(s / 2);
    n++;
  }
  return Math.max(1, n);
}

/** GDAL geotransform of a north-up pixel grid. */
export function geoTransformOf(grid: PixelGrid): [number, number, number, number, number, number] {
  return [grid.x0, grid.res, 0, grid.y0, 0, -grid.res];
}

export interface CogRequest {
  path: string;
  grid: PixelGrid;
  dataType: DemoDataType;
  nodata: number;
  /** Overview resampling: AVERAGE for measurements, NEAREST for class maps. */
  resampling: 'AVERAGE' | 'NEAREST';
  data: Uint8Array | Uint16Array | Float32Array;
}

function memDataset(grid: PixelGrid, bands: number, dataType: DemoDataType): gdal.Dataset {
  const ds = gdal.open('', 'w', 'MEM', grid.width, grid.height, bands, GDAL_TYPES[dataType]);
  ds.geoTransform = geoTransformOf(grid);
  ds.srs = gdal.SpatialReference.fromEPSG(grid.epsg);
  return ds;
}

/** Write one single-band COG; resolves when the file is complete on disk. */
export async function writeCog(req: CogRequest): Promise<void> {
  const { grid } = req;
  if (req.data.length !== grid.width * grid.height) {
    throw new RasterError(req.path, `got ${req.data.length} pixels for a ${grid.width} x ${grid.height} grid; expected ${grid.width * grid.height}`);
  }
  const src = memDataset(grid, 1, req.dataType);
  try {
    const band = src.bands.get(1);
    band.noDataValue = req.nodata;
    band.pixels.write(0, 0, grid.width, grid.height, req.data);
    const out = await gdal.drivers.get('COG').createCopyAsync(req.path, src, {
      COMPRESS: DEMO_COG_COMPRESS,
      LEVEL: String(DEMO_COG_LEVEL),
      PREDICTOR: 'YES',
      BLOCKSIZE: String(DEMO_COG_BLOCKSIZE),
      OVERVIEW_COUNT: String(overviewCount(grid.width, grid.height)),
      RESAMPLING: req.resampling,
    });
    out.close();
  } catch (e) {
    throw new RasterError(req.path, `could not write COG: ${(e as Error).message}`, e);
  } finally {
    src.close();
  }
}

/** Write an 8-bit RGB PNG preview (PNG has no georeferencing inside; the item says where it is). */
export async function writePngPreview(path: string, grid: PixelGrid, rgb: Uint8Array[]): Promise<void> {
  // No geotransform or SRS on the source: otherwise the PNG driver writes a .aux.xml beside the file.
  const src = gdal.open('', 'w', 'MEM', grid.width, grid.height, 3, gdal.GDT_Byte);
  try {
    rgb.forEach((data, i) => src.bands.get(i + 1).pixels.write(0, 0, grid.width, grid.height, data));
    const out = await gdal.drivers.get('PNG').createCopyAsync(path, src, { WORLDFILE: 'NO' });
    out.close();
  } catch (e) {
    throw new RasterError(path, `could not write PNG preview: ${(e as Error).message}`, e);
  } finally {
    src.close();
  }
}
