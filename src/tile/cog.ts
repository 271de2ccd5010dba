// Inspectable output for `terrafm tile --cog <dir>`: one Cloud-Optimized GeoTIFF per modality plus the
// land-cover map, per tile, with band names and nodata set, so any GIS can open what the stage made.
// This is a debugging/inspection path; the hot path hands typed arrays to the shard writer instead.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import gdal from 'gdal-async';
import type { TensorDType, TileRecord, TypedPixels } from '../model/types.js';
import { RasterError } from '../errors.js';

const GDAL_TYPE: Record<TensorDType, string> = { uint16: 'UInt16', int16: 'Int16', float32: 'Float32', uint8: 'Byte' };

async function writeCog(
  file: string,
  rec: TileRecord,
  dtype: TensorDType,
  bands: string[],
  data: TypedPixels,
  nodata: number,
): Promise<void> {
  const { width: w, height: h } = rec;
  const mem = gdal.drivers.get('MEM').create('', w, h, bands.length, GDAL_TYPE[dtype]);
  try {
    mem.geoTransform = [...rec.geotransform];
    mem.srs = gdal.SpatialReference.fromEPSG(rec.epsg);
    // Band names as dataset metadata: gdal-async has no setter for band descriptions.
    mem.setMetadata({ BANDS: bands.join(','), TILE_ID: rec.tileId });
    const px = w * h;
    for (let b = 0; b < bands.length; b++) {
      const band = mem.bands.get(b + 1);
      band.noDataValue = nodata;
      band.setMetadata({ BAND_NAME: bands[b] });
      await band.pixels.writeAsync(0, 0, w, h, data.subarray(b * px, (b + 1) * px));
    }
    const predictor = dtype === 'float32' ? '3' : '2';
    const out = await gdal.translateAsync(file, mem, ['-of', 'COG', '-co', 'COMPRESS=DEFLATE', '-co', `PREDICTOR=${predictor}`, '-co', 'OVERVIEWS=AUTO']);
    out.close();
  } catch (e) {
    throw new RasterError(file, `writing COG failed: ${e instanceof Error ? e.message : String(e)}`, e);
  } finally {
    mem.close();
  }
}

/** Writes `<dir>/<tileId>/<modality>.tif` and `<dir>/<tileId>/landcover.tif`; returns the paths written. */
export async function writeTileCogs(rec: TileRecord, dir: string): Promise<string[]> {
  const tileDir = path.join(dir, rec.tileId);
  await mkdir(tileDir, { recursive: true });
  const written: string[] = [];
  for (const [name, t] of Object.entries(rec.modalities)) {
    if (!t) continue;
    const file = path.join(tileDir, `${name}.tif`);
    await writeCog(file, rec, t.dtype, t.bands, t.data, t.nodata);
    written.push(file);
  }
  const lcFile = path.join(tileDir, 'landcover.tif');
  await writeCog(lcFile, rec, 'uint8', ['landcover'], rec.landcover, 0);
  written.push(lcFile);
  return written;
}
